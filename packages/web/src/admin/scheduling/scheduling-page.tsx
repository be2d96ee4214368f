import { Stack, Title } from '@mantine/core';
import { SectionCard } from '../section-card.js';
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
      <SectionCard title="Appointment types">
        <AppointmentTypesSection />
      </SectionCard>
      <SectionCard title="Practitioner schedules">
        <PractitionerSchedules sites={sites} types={types} />
      </SectionCard>
      <SectionCard title="Site closures and holidays">
        <SiteClosures sites={openSites} />
      </SectionCard>
    </Stack>
  );
}
