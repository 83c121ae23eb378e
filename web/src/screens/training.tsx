// Training screens (TRAINING.md, ACCESS.md section 4). Each lives in
// screens/training/; this file is the entry the app imports.
export { Inbox } from './training/inbox';
export { TakeCourse } from './training/take';
export { CourseList } from './training/courses';
export { CourseBuilder } from './training/builder';
export { Insights } from './training/insights';
export { AttemptsReview } from './training/review';
