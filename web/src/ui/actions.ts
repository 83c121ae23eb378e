// What each of the engine's actions lets a person do, in plain words (issue
// 12: no action ids on screen). Used where the app lists actions, as in Edit
// Access's what-if preview of what each person gains and loses.

import type { ActionId } from 'calm-access';

// Every action of the engine (tsc checks the table against the package's ActionId).
const WORDS: Record<ActionId, string> = {
  'training.course.complete': 'Complete assigned courses',
  'training.progress.view_own': 'See their own training progress',
  'training.insights.view': 'See Training Insights',
  'training.profile.view': "See people's training profiles",
  'training.course.view': 'See courses',
  'training.course.create': 'Create courses',
  'training.course.edit': 'Edit courses',
  'training.course.publish': 'Publish courses',
  'training.course.archive': 'Archive courses',
  'training.course.assign': 'Assign courses',
  'training.course.delete': 'Delete courses',
  'training.result.record': 'Record training results',
  'training.assessment.review': "Review people's assessment attempts",
  'training.quiz.manage': 'Manage quizzes',
  'training.integration.connect': 'Connect the iHasco integration',
  'training.integration.sync': 'Run iHasco syncs',
  'personnel.record.view': 'See personnel records',
  'personnel.record.view_assets': "See records' assets",
  'personnel.training.view': "See people's training on their records",
  'personnel.company.view': 'See companies',
  'personnel.comment.add': 'Add comments',
  'personnel.comment.view': 'See comments',
  'personnel.insights.view': 'See Personnel Insights',
  'personnel.record.create': 'Create personnel records',
  'personnel.record.edit': 'Edit personnel records',
  'personnel.record.delete': 'Delete personnel records',
  'personnel.block.view': 'See blocks',
  'personnel.file.view': 'See files',
  'personnel.block.manage': 'Add, change and remove blocks',
  'personnel.file.manage': 'Add and remove files',
  'personnel.sensitive.view': 'See sensitive details',
  'personnel.company.manage': 'Manage companies and contacts',
  'personnel.company.delete': 'Delete companies',
  'personnel.contact.delete': 'Delete contacts',
  'personnel.settings.view': 'See personnel settings',
  'personnel.settings.edit': 'Change personnel settings',
  'personnel.training.manage': "Manage people's training",
  'site.update': 'Change the site',
  'site.users.manage': "Manage the site's users",
  'site.integrations.manage': "Manage the site's integrations",
  'users.view': 'See users',
  'users.access.view': "See people's access",
  'users.access.edit': "Edit people's access",
  'users.access.set': 'Give and remove roles',
  'users.owner.set': 'Make people owners of the organisation',
  'users.owner.unset': 'Remove owners of the organisation',
};

/**
 * `action` in plain words. An action this table does not know yet (a newer
 * engine) is put into words from its id: "personnel.thing.do_more" reads
 * "Personnel: do more thing", never the id itself.
 */
export function actionWords(action: ActionId | string): string {
  const known = (WORDS as Record<string, string>)[action];
  if (known !== undefined) return known;
  const [module = '', ...rest] = String(action).split('.');
  const verb = (rest.pop() ?? '').replace(/_/g, ' ');
  const thing = rest.join(' ').replace(/_/g, ' ');
  const words = [verb, thing].filter((w) => w !== '').join(' ');
  return `${module.charAt(0).toUpperCase()}${module.slice(1)}: ${words}`;
}
