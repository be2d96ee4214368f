import { lazy, Suspense } from 'react';
import { PageLoader } from './shell/page-loader.js';
import { SignInPage } from './sign-in/sign-in-page.js';
import { useSession } from './session/session-context.js';

// Everything behind the sign-in screen loads after sign-in: the first screen stays small.
const SignedInApp = lazy(() => import('./shell/signed-in-app.js'));
// A portal invitation link opens the page that sets the password, before anyone is signed in.
const InvitationPage = lazy(() => import('./portal/invitation-page.js'));

export function App() {
  const { me, resuming } = useSession();
  if (resuming) return <PageLoader label="Resuming your session" />;
  if (!me && window.location.pathname === '/app/welcome') {
    return (
      <Suspense fallback={<PageLoader />}>
        <InvitationPage />
      </Suspense>
    );
  }
  if (!me) return <SignInPage />;
  return (
    <Suspense fallback={<PageLoader />}>
      <SignedInApp />
    </Suspense>
  );
}
