import { Text } from '@mantine/core';
import { useId, useState } from 'react';

export interface ImageUpload {
  readonly contentType: string;
  readonly data: string;
  readonly title: string;
}

const MAX_BYTES = 5 * 1024 * 1024;

/**
 * A photo or scan, read in the browser as base64 for a FHIR Binary. A native file input: the
 * tablet's camera offers itself for `accept="image/*"`, and screen readers know it.
 */
export function ImageField({ label, title, onChange }: { label: string; title: string; onChange: (image: ImageUpload | undefined) => void }) {
  const id = useId();
  const [message, setMessage] = useState<string>();
  const read = (file: File | undefined) => {
    if (!file) return onChange(undefined);
    if (file.size > MAX_BYTES) {
      setMessage('The image is larger than 5 MB; take it again at a lower resolution.');
      return onChange(undefined);
    }
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      setMessage(`${file.name} attached.`);
      onChange({ contentType: file.type || 'application/octet-stream', data: url.slice(url.indexOf(',') + 1), title });
    };
    reader.onerror = () => setMessage('The file could not be read.');
    reader.readAsDataURL(file);
  };
  return (
    <div>
      <Text component="label" htmlFor={id} size="sm" fw={500} display="block">
        {label}
      </Text>
      <input id={id} type="file" accept="image/*,application/pdf" capture="environment" onChange={(e) => read(e.currentTarget.files?.[0])} />
      {message && (
        <Text size="sm" c="gray.7" role="status">
          {message}
        </Text>
      )}
    </div>
  );
}
