import { Alert, createTheme, Modal, type CSSVariablesResolver } from '@mantine/core';

/**
 * Shade 8 of the primary colour keeps white button text and links above WCAG AA contrast (4.5:1);
 * Mantine's default shade 6 does not.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  // People who ask their system for less motion get none (and screenshots catch no half-faded dialog).
  respectReducedMotion: true,
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  components: {
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    // A light alert's coloured title (green on pale green: 3.8:1) is below WCAG AA; the body text colour is not.
    Alert: Alert.extend({ styles: { title: { color: 'var(--mantine-color-text)' } } }),
  },
});

/**
 * Mantine's "dimmed" grey (field descriptions) is 3.3:1 on white; gray.7 is 8:1. Its error red
 * (red.6, a field's message and its text once invalid) is 3.3:1; red.9 is 5.4:1.
 */
export const cssVariablesResolver: CSSVariablesResolver = (current) => ({
  variables: {},
  light: { '--mantine-color-dimmed': current.colors.gray[7]!, '--mantine-color-error': current.colors.red[9]! },
  dark: {},
});
