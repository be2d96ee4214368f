import { Button, Group, Modal, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { idlePhase, type IdlePhase } from './idle-clock.js';
import { useMe, useSession } from './session-context.js';

const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'mousemove'] as const;
/** Activity without any server call still keeps the server's session alive, at most this often. */
const KEEP_ALIVE_MS = 60_000;

/** Watches the person's activity; warns before the idle limit and signs out at it. */
export function IdleLogoff() {
  const { api, signOut } = useSession();
  const { idleMinutes } = useMe();
  // Set when the watch starts (render must stay pure).
  const lastActivity = useRef(0);
  const lastKeepAlive = useRef(0);
  const [phase, setPhase] = useState<IdlePhase>({ phase: 'active' });
  const warning = phase.phase === 'warning';

  useEffect(() => {
    lastActivity.current = Date.now();
    lastKeepAlive.current = Date.now();
    const onActivity = () => {
      // While the warning shows, only its button keeps the session: a stray mouse move should not.
      if (idlePhase(lastActivity.current, Date.now(), idleMinutes).phase !== 'active') return;
      lastActivity.current = Date.now();
      if (Date.now() - lastKeepAlive.current > KEEP_ALIVE_MS) {
        lastKeepAlive.current = Date.now();
        void api.get('/auth/me').catch(() => undefined);
      }
    };
    for (const event of ACTIVITY_EVENTS) window.addEventListener(event, onActivity, { passive: true });
    const timer = window.setInterval(() => {
      const next = idlePhase(lastActivity.current, Date.now(), idleMinutes);
      if (next.phase === 'expired') {
        window.clearInterval(timer);
        void signOut(`You were signed out after ${idleMinutes} minutes without activity, to protect patient information.`);
      }
      setPhase(next);
    }, 1000);
    return () => {
      for (const event of ACTIVITY_EVENTS) window.removeEventListener(event, onActivity);
      window.clearInterval(timer);
    };
  }, [api, idleMinutes, signOut]);

  const stay = () => {
    lastActivity.current = Date.now();
    lastKeepAlive.current = Date.now();
    setPhase({ phase: 'active' });
    void api.get('/auth/me').catch(() => undefined);
  };

  return (
    <Modal opened={warning} onClose={stay} title="Are you still there?" centered withCloseButton={false}>
      <Text role="timer" aria-live="polite">
        For privacy you will be signed out in {warning ? phase.secondsLeft : 0} seconds.
      </Text>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={() => void signOut()}>
          Sign out now
        </Button>
        <Button onClick={stay} data-autofocus>
          Stay signed in
        </Button>
      </Group>
    </Modal>
  );
}
