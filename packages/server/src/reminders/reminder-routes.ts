import type { Appointment } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { withAuditContext } from '../audit/audit-context.js';
import type { FhirRepository } from '../fhir/repository.js';
import { cancelAppointment } from '../scheduling/appointment-cancel.js';
import type { ReminderLinks, ReminderLink } from './reminder-links.js';
import { appointmentTime, readOptional } from './reminders.js';

/**
 * The page a reminder's link opens: the patient confirms or cancels without signing in. The
 * signed link is the permission, good for one appointment at the time announced; what the
 * patient does is written under their name on the audit trail.
 */
export function registerReminderRoutes(
  app: FastifyInstance,
  deps: { links: ReminderLinks; repositoryFor: (tenantId: string) => Promise<FhirRepository>; timeZone: string; now?: () => Date },
): void {
  const now = deps.now ?? (() => new Date());

  const load = async (token: string): Promise<{ link: ReminderLink; appointment: Appointment; repo: FhirRepository } | undefined> => {
    const link = deps.links.verify(token, now().getTime());
    if (!link) return undefined;
    const repo = await deps.repositoryFor(link.tenantId);
    const appointment = await readOptional<Appointment>(repo.reader(), 'Appointment', link.appointmentId);
    return appointment?.start === link.start ? { link, appointment, repo } : undefined;
  };
  const when = (appointment: Appointment) => appointmentTime(appointment.start!, deps.timeZone);

  app.get<{ Params: { token: string } }>('/reminders/:token', async (request, reply) => {
    const found = await load(request.params.token);
    if (!found) return page(reply, 404, 'This link no longer works', '<p>The appointment may have been moved or cancelled, or the link has expired. Please call the practice.</p>');
    const { appointment } = found;
    if (appointment.status === 'cancelled') return page(reply, 200, 'Appointment cancelled', `<p>Your appointment on ${when(appointment)} is cancelled.</p>`);
    return page(
      reply,
      200,
      'Your appointment',
      `<p>Your appointment is on <strong>${when(appointment)}</strong>.</p>
       <form method="post"><input type="hidden" name="action" value="confirm"><button type="submit">I will be there</button></form>
       <form method="post"><input type="hidden" name="action" value="cancel"><button type="submit">Cancel the appointment</button></form>`,
    );
  });

  app.post<{ Params: { token: string } }>('/reminders/:token', async (request, reply) => {
    const action = new URLSearchParams(typeof request.body === 'string' ? request.body : '').get('action');
    if (action !== 'confirm' && action !== 'cancel') return page(reply, 400, 'Choose an answer', '<p>Use one of the buttons on the previous page.</p>');
    const found = await load(request.params.token);
    if (!found) return page(reply, 404, 'This link no longer works', '<p>Please call the practice.</p>');
    const { appointment, repo } = found;
    const patient = appointment.participant.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
    const agent = { who: patient, name: 'Patient (reminder reply link)', role: 'patient' };
    return withAuditContext({ agent, sourceAddress: request.ip }, async () => {
      if (action === 'cancel') {
        if (appointment.status === 'cancelled') return page(reply, 200, 'Appointment cancelled', '<p>It was already cancelled.</p>');
        await repo.transaction((tx) => cancelAppointment(tx, appointment, 'Cancelled by the patient from a reminder', now(), deps.timeZone));
        return page(reply, 200, 'Appointment cancelled', `<p>Your appointment on ${when(appointment)} is cancelled. Thank you for letting us know.</p>`);
      }
      await repo.transaction((tx) =>
        tx.create(
          {
            resourceType: 'AppointmentResponse',
            appointment: { reference: `Appointment/${appointment.id}` },
            actor: { reference: patient },
            participantStatus: 'accepted',
            comment: 'Confirmed from a reminder',
          },
          { ifNoneExist: `appointment=Appointment/${appointment.id}&actor=${patient}&part-status=accepted` },
        ),
      );
      return page(reply, 200, 'Thank you', `<p>Your appointment on ${when(appointment)} is confirmed.</p>`);
    });
  });
}

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.6rem 1rem;margin:.4rem 0}</style></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`);
}
