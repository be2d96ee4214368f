import { Alert, Badge, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { dateTimeText } from './clinical-text.js';
import { isFromPatient, messageText, type MessageThread } from './message-threads.js';

/** One conversation: its messages oldest first, and a reply box. */
export function MessageThreadView(props: { thread: MessageThread; heading: string; viewer: 'patient' | 'practice'; replying: boolean; error: unknown; onReply: (text: string) => Promise<unknown> }) {
  const { thread, heading, viewer } = props;
  const [text, setText] = useState('');
  const [textError, setTextError] = useState<string | undefined>();
  const id = `thread-${thread.id}`;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return setTextError('Write your reply first');
    setTextError(undefined);
    await props.onReply(text.trim());
    setText('');
  };
  const owed = viewer === 'practice' ? thread.awaitingPractice : !thread.awaitingPractice;
  return (
    <Paper withBorder p="md" component="article" aria-labelledby={id}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4" id={id}>
            {heading}
          </Title>
          {owed && <Badge color="blue.8">{viewer === 'practice' ? 'Waiting for a reply' : 'New reply'}</Badge>}
        </Group>
        {thread.messages.map((message) => {
          const mine = viewer === 'patient' ? isFromPatient(message) : !isFromPatient(message);
          return (
            <Paper key={message.id} p="sm" bg={mine ? 'gray.0' : 'blue.0'} radius="md">
              <Text size="sm" c="gray.7">
                {isFromPatient(message) ? (viewer === 'patient' ? 'You' : (message.sender?.display ?? 'The patient')) : (message.sender?.display ?? 'The practice')} · {dateTimeText(message.sent)}
              </Text>
              <Text style={{ whiteSpace: 'pre-wrap' }}>{messageText(message)}</Text>
            </Paper>
          );
        })}
        <form onSubmit={(event) => void submit(event)} noValidate>
          <Stack gap="xs">
            <Textarea label={`Reply to “${thread.topic}”`} value={text} onChange={(e) => setText(e.currentTarget.value)} error={textError} autosize minRows={2} />
            {Boolean(props.error) && (
              <Alert color="red" role="alert">
                {describeError(props.error)}
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={props.replying}>
                Send reply
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}
