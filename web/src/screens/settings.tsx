// Settings screens. (Being written.)
export function UserManagement({ target }: { target?: string }) { return <section><h1>User Management {target}</h1></section>; }
export function Integrations() { return <section><h1>Integrations</h1></section>; }
