// Settings screens: User Management (View Access, Edit Access with the
// what-if preview) and Integrations (iHasco). Each lives in settings/.
export { UserManagement } from './settings/users';
export { Integrations } from './settings/integrations';
