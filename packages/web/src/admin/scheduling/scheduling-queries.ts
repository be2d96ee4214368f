import type { Bundle, Schedule, Slot } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { entriesOf } from '../../front-desk/fhir-resources.js';
import { useSession } from '../../session/session-context.js';

export function usePractitionerSchedules(practitionerId: string | undefined) {
  const { api } = useSession();
  return useQuery({
    queryKey: ['Schedule', 'practitioner', practitionerId],
    enabled: Boolean(practitionerId),
    queryFn: async () => entriesOf<Schedule>(await api.get<Bundle>(`/fhir/R4/Schedule?actor=${encodeURIComponent(`Practitioner/${practitionerId}`)}&_count=50`), 'Schedule'),
  });
}

const LEAVE_LOOK_BACK_DAYS = 60;

/** Leave and closures still to come (or under way) on one schedule. */
export function useUpcomingLeave(scheduleId: string | undefined) {
  const { api } = useSession();
  return useQuery({
    queryKey: ['Slot', 'leave', scheduleId],
    enabled: Boolean(scheduleId),
    queryFn: async () => {
      // R4 Slot has no end search parameter: leave started up to LEAVE_LOOK_BACK_DAYS ago may still be running.
      const since = new Date(Date.now() - LEAVE_LOOK_BACK_DAYS * 86_400_000).toISOString();
      const query = new URLSearchParams({ schedule: `Schedule/${scheduleId}`, status: 'busy-unavailable', start: `ge${since}`, _sort: 'start', _count: '100' });
      const now = new Date().toISOString();
      return entriesOf<Slot>(await api.get<Bundle>(`/fhir/R4/Slot?${query}`), 'Slot').filter((slot) => new Date(slot.end).toISOString() > now);
    },
  });
}

/** Schedules whose only actor is one Location: a site's closures for everyone, or a room's own hours. */
export function usePlaceSchedules() {
  const { api } = useSession();
  return useQuery({
    queryKey: ['Schedule', 'places'],
    queryFn: async () =>
      entriesOf<Schedule>(await api.get<Bundle>('/fhir/R4/Schedule?_count=200'), 'Schedule').filter((s) => s.actor.length === 1 && s.actor[0]?.reference?.startsWith('Location/')),
  });
}
