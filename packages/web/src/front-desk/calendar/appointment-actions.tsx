import type { Appointment, Parameters, Task } from '@medplum/fhirtypes';
import { Alert, Anchor, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { formatWhen, parameterOf, parameters } from '../fhir-resources.js';
import { STATUS_STYLE } from './appointment-events.js';

/** What the desk can do with one appointment from the calendar: check in, cancel with a reason, no-show. */
export function AppointmentActions({ appointment, patientName, onClose, onChanged }: { appointment: Appointment; patientName: string; onClose: () => void; onChanged: (message: string) => void }) {
  const { api } = useSession();
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const cancel = useMutation({
    mutationFn: () => api.post<Parameters>(`/fhir/R4/Appointment/${appointment.id}/$cancel`, parameters({ name: 'reason', valueString: reason.trim() })),
    onSuccess: (result) => {
      const offer = parameterOf(result, 'waitlist-offer')?.resource as Task | undefined;
      onChanged(offer ? 'Appointment cancelled. The freed time was offered to a waitlisted patient: see the waitlist.' : 'Appointment cancelled; the time is free again.');
    },
  });
  const noShow = useMutation({
    mutationFn: () => api.post(`/fhir/R4/Appointment/${appointment.id}/$visit-status`, parameters({ name: 'status', valueCode: 'no-show' })),
    onSuccess: () => onChanged('Marked as a no-show; the time is free again.'),
  });
  const booked = appointment.status === 'booked';
  const failure = cancel.error ?? noShow.error;
  return (
    <Modal opened onClose={onClose} title={`${patientName}, ${formatWhen(appointment.start)}`}>
      <Stack>
        <Text>Status: {STATUS_STYLE[appointment.status]?.label ?? appointment.status}</Text>
        {failure && (
          <Alert color="red" role="alert">
            {describeError(failure)}
          </Alert>
        )}
        {booked && (
          <>
            <Group>
              <Button component={Link} to={`/app/front-desk/check-in/${appointment.id}`}>
                Check in
              </Button>
              <Button variant="default" onClick={() => noShow.mutate()} loading={noShow.isPending}>
                Mark no-show
              </Button>
            </Group>
            <TextInput label="Reason for cancelling" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={reasonError} description="Told to the patient and kept on the appointment" />
            <Group>
              <Button
                color="red.9"
                loading={cancel.isPending}
                onClick={() => {
                  if (!reason.trim()) return setReasonError('Enter why the appointment is cancelled.');
                  setReasonError(undefined);
                  cancel.mutate();
                }}
              >
                Cancel appointment
              </Button>
            </Group>
          </>
        )}
        {!booked && (
          <Anchor component={Link} to="/app/front-desk">
            Open today’s list
          </Anchor>
        )}
      </Stack>
    </Modal>
  );
}
