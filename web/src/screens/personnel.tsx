// Personnel screens. (Being written.)
export function People() { return <section><h1>People</h1></section>; }
export function RecordScreen({ record }: { record: string }) { return <section><h1>{record}</h1></section>; }
export function Companies({ company }: { company?: string }) { return <section><h1>Companies {company}</h1></section>; }
export function PersonnelSettings() { return <section><h1>Personnel settings</h1></section>; }
