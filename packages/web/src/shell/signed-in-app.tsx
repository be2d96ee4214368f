import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { useMe } from '../session/session-context.js';
import { AppLayout } from './app-layout.js';
import { PageLoader } from './page-loader.js';
import { NotFoundPage } from './not-found-page.js';
import { WORKSPACES, workspacesFor } from './workspaces.js';

// One chunk per workspace: a front-desk clerk never downloads the administrator's screens.
const PatientSearchPage = lazy(() => import('../patients/patient-search-page.js'));
const PatientPage = lazy(() => import('../patients/patient-page.js'));
const UsersPage = lazy(() => import('../admin/users-page.js'));
const RolesPage = lazy(() => import('../admin/roles-page.js'));
const AuditPage = lazy(() => import('../admin/audit-page.js'));
const SettingsPage = lazy(() => import('../admin/settings/settings-page.js'));
const LocationsPage = lazy(() => import('../admin/locations/locations-page.js'));
const SchedulingPage = lazy(() => import('../admin/scheduling/scheduling-page.js'));
const ImportPage = lazy(() => import('../admin/import-page.js'));
const EmergencyAccessPage = lazy(() => import('../admin/emergency-access-page.js'));
const AppsPage = lazy(() => import('../admin/apps-page.js'));
const FrontDeskRoutes = lazy(() => import('../front-desk/front-desk-routes.js'));
const WorkspacePlaceholder = lazy(() => import('../workspaces/workspace-placeholder.js'));
const AccountPage = lazy(() => import('../account/account-page.js'));
const InboxPage = lazy(() => import('../inbox/inbox-page.js'));
const RecordPage = lazy(() => import('../portal/record-page.js'));
const ResultsPage = lazy(() => import('../portal/results-page.js'));
const AppointmentsPage = lazy(() => import('../portal/appointments-page.js'));
const MessagesPage = lazy(() => import('../portal/messages-page.js'));

export default function SignedInApp() {
  const me = useMe();
  const workspaces = workspacesFor(me.policy);
  const allowed = new Set(workspaces.map((w) => w.key));
  const home = workspaces[0]?.path ?? '/app/account';
  const page = (key: string, element: React.ReactNode) => (allowed.has(key) ? <Suspense fallback={<PageLoader />}>{element}</Suspense> : <NotFoundPage />);

  return (
    <BrowserRouter>
      <Routes>
        <Route path="/" element={<Navigate to={home} replace />} />
        <Route path="/app" element={<AppLayout workspaces={workspaces} />}>
          <Route index element={<Navigate to={home} replace />} />
          <Route path="patients" element={page(WORKSPACES.patients.key, <PatientSearchPage />)} />
          <Route path="patients/:id" element={page(WORKSPACES.patients.key, <PatientPage />)} />
          <Route path="front-desk/*" element={page(WORKSPACES.frontDesk.key, <FrontDeskRoutes />)} />
          <Route path="clinical" element={page(WORKSPACES.clinical.key, <WorkspacePlaceholder workspace={WORKSPACES.clinical} />)} />
          <Route path="billing" element={page(WORKSPACES.billing.key, <WorkspacePlaceholder workspace={WORKSPACES.billing} />)} />
          <Route path="inbox" element={page(WORKSPACES.inbox.key, <InboxPage />)} />
          <Route path="portal" element={page(WORKSPACES.portal.key, <RecordPage />)} />
          <Route path="results" element={page(WORKSPACES.results.key, <ResultsPage />)} />
          <Route path="appointments" element={page(WORKSPACES.appointments.key, <AppointmentsPage />)} />
          <Route path="messages" element={page(WORKSPACES.messages.key, <MessagesPage />)} />
          {/* An invitation link opened while already signed in. */}
          <Route path="welcome" element={<Navigate to="/app/account" replace />} />
          <Route path="admin/users" element={page(WORKSPACES.users.key, <UsersPage />)} />
          <Route path="admin/roles" element={page(WORKSPACES.roles.key, <RolesPage />)} />
          <Route path="admin/audit" element={page(WORKSPACES.audit.key, <AuditPage />)} />
          <Route path="admin/settings" element={page(WORKSPACES.settings.key, <SettingsPage />)} />
          <Route path="admin/locations" element={page(WORKSPACES.locations.key, <LocationsPage />)} />
          <Route path="admin/scheduling" element={page(WORKSPACES.scheduling.key, <SchedulingPage />)} />
          <Route path="admin/import" element={page(WORKSPACES.dataImport.key, <ImportPage />)} />
          <Route path="admin/emergency-access" element={page(WORKSPACES.emergencyAccess.key, <EmergencyAccessPage />)} />
          <Route path="admin/apps" element={page(WORKSPACES.apps.key, <AppsPage />)} />
          <Route
            path="account"
            element={
              <Suspense fallback={<PageLoader />}>
                <AccountPage />
              </Suspense>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
        <Route path="*" element={<Navigate to={home} replace />} />
      </Routes>
    </BrowserRouter>
  );
}
