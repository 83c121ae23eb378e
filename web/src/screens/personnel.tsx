// Personnel screens (ACCESS.md section 5, PERSONNEL.md): People, a record,
// companies, and Settings > Personnel. Each renders the engine's views only.
export { People } from './personnel/people';
export { RecordScreen } from './personnel/record';
export { Companies } from './personnel/companies';
export { PersonnelSettings } from './personnel/settings';
