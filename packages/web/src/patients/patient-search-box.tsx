import { TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';

/** The header's search: every staff screen can jump to a patient. */
export function PatientSearchBox() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim()) void navigate(`/app/patients?q=${encodeURIComponent(text.trim())}`);
  };

  return (
    <form role="search" onSubmit={submit} style={{ flex: 1, maxWidth: 420 }}>
      <TextInput
        aria-label="Find a patient by name, birth date, MRN or phone"
        placeholder="Find a patient: name, birth date, MRN, phone"
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        type="search"
      />
    </form>
  );
}
