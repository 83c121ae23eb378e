// Settings > Personnel (#/settings/personnel): the site's personnel settings
// (P14; without any personnel role the engine's P17 message), saved with
// settings.update (P15: needs update-site too).

import { useState } from 'preact/hooks';
import { useStore } from '../../store';
import { CommandButton, Denied, reasonOf } from '../../ui/gate';
import { ask, Unanswered } from '../../ui/view';
import type { PersonnelSettingsView } from 'calm-access';
import { Outcome, useRunner, type Exec } from './common';
import { names } from '../../ui/names';

const SWITCHES: { key: 'restrictCommentViewing' | 'autoCreateRecords' | 'inboundEmailComments'; label: string; hint: string }[] = [
  {
    key: 'restrictCommentViewing',
    label: 'Restrict comment viewing',
    hint: 'Members see only the comment threads they started.',
  },
  {
    key: 'autoCreateRecords',
    label: 'Create records automatically',
    hint: 'A person given a personnel role here gets a record.',
  },
  {
    key: 'inboundEmailComments',
    label: 'Comments by email',
    hint: 'Replies to notification emails are added as comments.',
  },
];

function notificationsText(value: unknown): string {
  return value === undefined || value === null ? '{}' : JSON.stringify(value, null, 2);
}

function SettingsForm({ view, exec }: { view: PersonnelSettingsView; exec: Exec }) {
  const [flags, setFlags] = useState({
    restrictCommentViewing: view.restrictCommentViewing,
    autoCreateRecords: view.autoCreateRecords,
    inboundEmailComments: view.inboundEmailComments,
  });
  const [notifications, setNotifications] = useState(notificationsText(view.notifications));
  let parsed: unknown;
  let parseError = '';
  try {
    parsed = JSON.parse(notifications);
  } catch (error) {
    parseError = (error as Error).message;
  }
  const personnel: Record<string, unknown> = { ...flags };
  if (parseError === '') personnel.notifications = parsed;
  const fields = parseError === '' ? { type: 'settings.update', site: view.site, personnel } : null;
  const editable = view.canEdit.allowed;
  return (
    <form class="pform" onSubmit={(e) => e.preventDefault()}>
      <fieldset class="psettings">
        <legend>Personnel at {names().site(view.site)}</legend>
        {SWITCHES.map((s) => (
          <label key={s.key} class="pswitch">
            <input
              type="checkbox"
              data-testid={`setting-${s.key}`}
              checked={flags[s.key]}
              disabled={!editable}
              onChange={(e) => setFlags({ ...flags, [s.key]: (e.target as HTMLInputElement).checked })}
            />{' '}
            <span>
              {s.label}
              <span class="muted"> — {s.hint}</span>
            </span>
          </label>
        ))}
        <label class="field">
          <span>
            Notifications <span class="muted">(JSON preferences, e.g. {'{"digest": "weekly"}'})</span>
          </span>
          <textarea
            rows={4}
            data-testid="setting-notifications"
            value={notifications}
            readOnly={!editable}
            onInput={(e) => setNotifications((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        {parseError !== '' && (
          <p class="notice notice-error" role="alert">
            Notifications are not valid JSON: {parseError}
          </p>
        )}
      </fieldset>
      {!editable && (
        <p class="notice" data-testid="settings-readonly">
          You can view these settings but not change them: {reasonOf(view.canEdit)}
        </p>
      )}
      <CommandButton
        fields={fields}
        incomplete={`Notifications are not valid JSON: ${parseError}`}
        variant="primary"
        data-testid="settings-save"
        onClick={() => fields && exec('Saving the settings', fields)}
      >
        Save
      </CommandButton>
    </form>
  );
}

export function PersonnelSettings() {
  const { engine, user, site } = useStore();
  const [outcome, exec] = useRunner();
  const viewed = ask<PersonnelSettingsView>(() => engine.personnelSettings(user, site));
  return (
    <section>
      <h1>Personnel settings</h1>
      {!viewed.ok ? (
        <Unanswered answer={viewed} title="Personnel settings" />
      ) : (
        <div class="card" data-testid="personnel-settings">
          <SettingsForm
            key={JSON.stringify([viewed.value.restrictCommentViewing, viewed.value.autoCreateRecords, viewed.value.inboundEmailComments, viewed.value.notifications])}
            view={viewed.value}
            exec={exec}
          />
          <Outcome outcome={outcome} />
        </div>
      )}
    </section>
  );
}
