// Training screens. (Being written.)
export function Inbox() { return <section><h1>My Courses</h1></section>; }
export function TakeCourse({ fulfillment }: { fulfillment: string }) { return <section><h1>{fulfillment}</h1></section>; }
export function CourseList() { return <section><h1>Courses</h1></section>; }
export function CourseBuilder({ course }: { course: string }) { return <section><h1>{course}</h1></section>; }
export function Insights() { return <section><h1>Training Insights</h1></section>; }
