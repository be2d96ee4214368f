import type { Communication } from '@medplum/fhirtypes';
import { Alert, Button, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { useMe, useSession } from '../session/session-context.js';
import { MessageThreadView } from './message-thread-view.js';
import { messageThreads, patientMessage, PORTAL_MESSAGE_TOKEN, replyTo, type MessageThread } from './message-threads.js';
import { useOwnPatientId, useSearch } from './portal-queries.js';

const PRACTICE = 'The practice';

/** Secure messages with the practice: write a new one, read the threads and reply. */
export default function MessagesPage() {
  const patientId = useOwnPatientId();
  const messages = useSearch<Communication>('Communication', `patient=Patient/${patientId}&category=${encodeURIComponent(PORTAL_MESSAGE_TOKEN)}&_count=500`);
  if (messages.isPending) return <PageLoader label="Loading your messages" />;
  if (messages.isError) {
    return (
      <Alert color="red" title="Your messages could not be loaded" role="alert">
        {describeError(messages.error)}
      </Alert>
    );
  }
  const threads = messageThreads(messages.data.resources);
  return (
    <Stack>
      <Title order={1} size="h2">
        Messages with the practice
      </Title>
      <Text c="gray.7">For questions that can wait a working day. In an emergency, call 911.</Text>
      <NewMessage patientId={patientId} />
      <Title order={2} size="h3">
        Conversations
      </Title>
      {threads.length === 0 ? <Text c="gray.7">No messages yet.</Text> : threads.map((thread) => <PatientThread key={thread.id} thread={thread} patientId={patientId} />)}
    </Stack>
  );
}

function PatientThread({ thread, patientId }: { thread: MessageThread; patientId: string }) {
  const { api } = useSession();
  const me = useMe();
  const queryClient = useQueryClient();
  const reply = useMutation({
    mutationFn: (text: string) => api.post('/fhir/R4/Communication', replyTo(thread, { reference: `Patient/${patientId}`, display: me.displayName }, text, new Date())),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['Communication'] }),
  });
  return <MessageThreadView thread={thread} heading={thread.topic} viewer="patient" replying={reply.isPending} error={reply.error} onReply={(text) => reply.mutateAsync(text)} />;
}

function NewMessage({ patientId }: { patientId: string }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [topic, setTopic] = useState('');
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<{ topic?: string; text?: string }>({});
  const [sent, setSent] = useState(false);
  const send = useMutation({
    mutationFn: () => api.post('/fhir/R4/Communication', patientMessage(patientId, PRACTICE, topic.trim(), text.trim(), new Date())),
    onSuccess: () => {
      setTopic('');
      setText('');
      setSent(true);
      return queryClient.invalidateQueries({ queryKey: ['Communication'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = { topic: topic.trim() ? undefined : 'Give the message a subject', text: text.trim() ? undefined : 'Write your message' };
    setErrors(next);
    if (next.topic || next.text) return;
    setSent(false);
    send.mutate();
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="new-message-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="new-message-title">
            New message
          </Title>
          {sent && (
            <Alert color="blue" role="status" title="Sent">
              <Text size="sm" c="dark.8">The practice will answer here.</Text>
            </Alert>
          )}
          {send.isError && (
            <Alert color="red" role="alert" title="Not sent">
              {describeError(send.error)}
            </Alert>
          )}
          <TextInput label="Subject" required value={topic} onChange={(e) => setTopic(e.currentTarget.value)} error={errors.topic} maxLength={120} />
          <Textarea label="Message" required value={text} onChange={(e) => setText(e.currentTarget.value)} error={errors.text} autosize minRows={3} />
          <Button type="submit" loading={send.isPending} style={{ alignSelf: 'flex-start' }}>
            Send to the practice
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
