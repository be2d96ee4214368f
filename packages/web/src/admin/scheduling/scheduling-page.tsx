import { Paper, Stack, Title } from '@mantine/core';
import { typesOf, useAppointmentTypeSystem } from '../../front-desk/appointment-types.js';
import { useLocations } from '../../front-desk/directory.js';
import { kindOf } from '../locations/location-draft.js';
import { AppointmentTypesSection } from './appointment-types-section.js';
import { PractitionerSchedules } from './practitioner-schedules.js';
import { SiteClosures } from './site-closures.js';

/** Appointment types, each practitioner's weekly hours and leave at each site, and the sites' closures. */
export default function SchedulingPage() {
  const locations = useLocations();
  const system = useAppointmentTypeSystem();
  const types = system.data === undefined ? [] : typesOf(system.data ?? undefined);
  const sites = (locations.data ?? []).filter((l) => kindOf(l) === 'site');
  const openSites = sites.filter((l) => l.status !== 'inactive');

  return (
    <Stack>
      <Title order={1} size="h2">
        Scheduling
      </Title>
      <Section title="Appointment types">
        <AppointmentTypesSection />
      </Section>
      <Section title="Practitioner schedules">
        <PractitionerSchedules sites={sites} types={types} />
      </Section>
      <Section title="Site closures and holidays">
        <SiteClosures sites={openSites} />
      </Section>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={2} size="h3">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}
