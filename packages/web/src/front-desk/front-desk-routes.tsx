import { Group, NavLink, Stack, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { NavLink as RouterNavLink, Route, Routes, useLocation } from 'react-router';
import { PageLoader } from '../shell/page-loader.js';
import { NotFoundPage } from '../shell/not-found-page.js';

// Each screen its own chunk: the calendar library loads only with the calendar.
const DayViewPage = lazy(() => import('./check-in/day-view-page.js'));
const CheckInPage = lazy(() => import('./check-in/check-in-page.js'));
const CalendarPage = lazy(() => import('./calendar/calendar-page.js'));
const RegisterPatientPage = lazy(() => import('./registration/register-patient-page.js'));
const PatientDeskPage = lazy(() => import('./patient-desk-page.js'));
const WaitlistPage = lazy(() => import('./waitlist/waitlist-page.js'));

const TABS = [
  { path: '/app/front-desk', label: 'Today' },
  { path: '/app/front-desk/calendar', label: 'Calendar' },
  { path: '/app/front-desk/register', label: 'Register patient' },
  { path: '/app/front-desk/waitlist', label: 'Waitlist' },
];

/** The front-desk workspace: the day's arrivals, the calendar, registration and the waitlist. */
export default function FrontDeskRoutes() {
  const location = useLocation();
  return (
    <Stack>
      <Title order={1} size="h2">
        Front desk
      </Title>
      <Group component="nav" aria-label="Front desk" gap={4} wrap="wrap">
        {TABS.map((tab) => (
          <NavLink
            key={tab.path}
            component={RouterNavLink}
            to={tab.path}
            end
            label={tab.label}
            variant="filled"
            w="auto"
            style={{ borderRadius: 4 }}
            active={location.pathname === tab.path}
            aria-current={location.pathname === tab.path ? 'page' : undefined}
          />
        ))}
      </Group>
      <Suspense fallback={<PageLoader />}>
        <Routes>
          <Route index element={<DayViewPage />} />
          <Route path="calendar" element={<CalendarPage />} />
          <Route path="register" element={<RegisterPatientPage />} />
          <Route path="waitlist" element={<WaitlistPage />} />
          <Route path="patients/:id" element={<PatientDeskPage />} />
          <Route path="check-in/:id" element={<CheckInPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </Stack>
  );
}
