import type { Bundle } from '@medplum/fhirtypes';
import { Alert, Button, Checkbox, Fieldset, Group, NativeSelect, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { idOf, parameters } from '../fhir-resources.js';
import { ImageField } from '../image-field.js';
import { CoverageFields } from '../insurance/coverage-fields.js';
import { coverageProblems, EMPTY_COVERAGE, type CoverageDraft } from '../insurance/coverage-draft.js';
import { DuplicateWarning } from './duplicate-warning.js';
import { likelyDuplicates, type LikelyDuplicate } from './match-results.js';
import { EMPTY_CONTACT, ETHNICITIES, GENDER_IDENTITIES, LANGUAGES, patientFrom, RACES, registrationBundle, registrationProblems, type ContactDraft, type RegistrationDraft } from './registration-draft.js';

const EMPTY: RegistrationDraft = {
  legalGiven: '', legalFamily: '', preferredName: '', birthDate: '', sex: '', birthSex: '', genderIdentity: '', race: '', ethnicity: '', language: '',
  line: '', city: '', state: '', postalCode: '', homePhone: '', mobilePhone: '', email: '', reminderPreference: 'email',
  guarantor: EMPTY_CONTACT, emergencyContact: EMPTY_CONTACT, hipaaAcknowledged: false,
};
const options = (labels: Record<string, string>, none: string) => [{ value: '', label: none }, ...Object.entries(labels).map(([value, label]) => ({ value, label }))];
const CONTACT_RELATIONSHIPS = { SPS: 'Spouse', PRN: 'Parent', CHILD: 'Child', SIB: 'Sibling', GUARD: 'Legal guardian', FRND: 'Friend', ONESELF: 'Self' };

/** Registration: demographics, contacts, privacy notice, ID scan and insurance; a duplicate check first; one transaction. */
export default function RegisterPatientPage() {
  const { api } = useSession();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<RegistrationDraft>(EMPTY);
  const [insured, setInsured] = useState(true);
  const [coverage, setCoverage] = useState<CoverageDraft>(EMPTY_COVERAGE);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [duplicates, setDuplicates] = useState<LikelyDuplicate[]>();

  const create = useMutation({
    mutationFn: async () => {
      const response = await api.post<Bundle>('/fhir/R4', registrationBundle(draft, insured ? [coverage] : [], new Date()));
      return idOf(response.entry?.[0]?.response?.location?.split('/_history')[0]);
    },
    onSuccess: (id) => navigate(`/app/front-desk/patients/${id}`, { state: { registered: true } }),
  });
  const match = useMutation({
    mutationFn: async () => likelyDuplicates(await api.post<Bundle>('/fhir/R4/Patient/$match', parameters({ name: 'resource', resource: patientFrom(draft) }, { name: 'count', valueInteger: 5 }))),
    onSuccess: (candidates) => (candidates.length > 0 ? setDuplicates(candidates) : create.mutate()),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems = { ...registrationProblems(draft, new Date()), ...(insured ? prefixed(coverageProblems(coverage), 'coverage.') : {}) };
    setErrors(problems);
    if (Object.keys(problems).length === 0) match.mutate();
  };
  const set = (field: keyof RegistrationDraft) => (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [field]: event.currentTarget.value });
  const setContact = (who: 'guarantor' | 'emergencyContact', field: keyof ContactDraft) => (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [who]: { ...draft[who], [field]: event.currentTarget.value } });
  const problemCount = Object.keys(errors).length;
  const failure = match.error ?? create.error;

  return (
    <Stack component="form" onSubmit={submit} aria-labelledby="register-title">
      <Title order={2} size="h3" id="register-title">
        Register a new patient
      </Title>
      <Fieldset legend="Name and birth">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          <TextInput label="Legal given name(s)" withAsterisk value={draft.legalGiven} onChange={set('legalGiven')} error={errors.legalGiven} autoComplete="off" />
          <TextInput label="Legal family name" withAsterisk value={draft.legalFamily} onChange={set('legalFamily')} error={errors.legalFamily} autoComplete="off" />
          <TextInput label="Preferred name" value={draft.preferredName} onChange={set('preferredName')} description="What the patient likes to be called" />
          <TextInput label="Birth date" type="date" withAsterisk value={draft.birthDate} onChange={set('birthDate')} error={errors.birthDate} />
          <NativeSelect label="Sex (administrative)" withAsterisk value={draft.sex} onChange={set('sex')} error={errors.sex} data={options({ female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' }, 'Choose')} />
          <NativeSelect label="Sex assigned at birth" value={draft.birthSex} onChange={set('birthSex')} data={options({ F: 'Female', M: 'Male', UNK: 'Unknown' }, 'Not asked')} />
          <NativeSelect label="Gender identity" value={draft.genderIdentity} onChange={set('genderIdentity')} data={options(GENDER_IDENTITIES, 'Not asked')} />
          <NativeSelect label="Race" value={draft.race} onChange={set('race')} data={options(RACES, 'Not asked or declined')} />
          <NativeSelect label="Ethnicity" value={draft.ethnicity} onChange={set('ethnicity')} data={options(ETHNICITIES, 'Not asked or declined')} />
          <NativeSelect label="Preferred language" value={draft.language} onChange={set('language')} data={options(LANGUAGES, 'Not asked')} />
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend="Address and contact">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          <TextInput label="Street address" value={draft.line} onChange={set('line')} />
          <TextInput label="City" value={draft.city} onChange={set('city')} />
          <TextInput label="State" value={draft.state} onChange={set('state')} maxLength={2} description="Two letters, e.g. IL" />
          <TextInput label="ZIP code" value={draft.postalCode} onChange={set('postalCode')} inputMode="numeric" />
          <TextInput label="Home phone" type="tel" value={draft.homePhone} onChange={set('homePhone')} />
          <TextInput label="Mobile phone" type="tel" value={draft.mobilePhone} onChange={set('mobilePhone')} error={errors.mobilePhone} />
          <TextInput label="Email" type="email" value={draft.email} onChange={set('email')} error={errors.email} />
          <NativeSelect label="Appointment reminders by" value={draft.reminderPreference} onChange={set('reminderPreference')} data={[{ value: 'email', label: 'Email' }, { value: 'sms', label: 'Text message' }, { value: 'none', label: 'No reminders (opted out)' }]} />
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend="Guarantor and emergency contact">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          <TextInput label="Guarantor name" value={draft.guarantor.name} onChange={setContact('guarantor', 'name')} description="Who pays; leave empty if the patient does" />
          <NativeSelect label="Guarantor relationship" value={draft.guarantor.relationship} onChange={setContact('guarantor', 'relationship')} error={errors['guarantor.relationship']} data={options(CONTACT_RELATIONSHIPS, 'Choose')} />
          <TextInput label="Guarantor phone" type="tel" value={draft.guarantor.phone} onChange={setContact('guarantor', 'phone')} />
          <TextInput label="Emergency contact name" value={draft.emergencyContact.name} onChange={setContact('emergencyContact', 'name')} />
          <NativeSelect label="Emergency contact relationship" value={draft.emergencyContact.relationship} onChange={setContact('emergencyContact', 'relationship')} data={options(CONTACT_RELATIONSHIPS, 'Choose')} />
          <TextInput label="Emergency contact phone" type="tel" value={draft.emergencyContact.phone} onChange={setContact('emergencyContact', 'phone')} error={errors['emergencyContact.phone']} />
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend="Privacy notice and identification">
        <Stack>
          <Checkbox
            label="The patient received the notice of privacy practices (HIPAA) and acknowledged it"
            checked={draft.hipaaAcknowledged}
            onChange={(e) => setDraft({ ...draft, hipaaAcknowledged: e.currentTarget.checked })}
            error={errors.hipaaAcknowledged}
          />
          <ImageField label="Photo or ID scan" title="Photo ID" onChange={(idScan) => setDraft({ ...draft, idScan })} />
        </Stack>
      </Fieldset>
      <Checkbox label="The patient has insurance" checked={insured} onChange={(e) => setInsured(e.currentTarget.checked)} />
      {insured && <CoverageFields legend="Insurance" value={coverage} onChange={setCoverage} errors={unprefixed(errors, 'coverage.')} />}
      {problemCount > 0 && (
        <Alert color="red" role="alert" title="Check the form">
          {problemCount === 1 ? 'One field needs' : `${problemCount} fields need`} attention: {Object.values(errors).join(' ')}
        </Alert>
      )}
      {failure && (
        <Alert color="red" role="alert" title="The patient was not registered">
          {describeError(failure)}
        </Alert>
      )}
      <Group>
        <Button type="submit" loading={match.isPending || create.isPending}>
          Register patient
        </Button>
      </Group>
      {duplicates && (
        <DuplicateWarning
          candidates={duplicates}
          saving={create.isPending}
          onClose={() => setDuplicates(undefined)}
          onContinue={() => create.mutate(undefined, { onSettled: () => setDuplicates(undefined) })}
        />
      )}
    </Stack>
  );
}

function prefixed(problems: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(problems).map(([k, v]) => [`${prefix}${k}`, v]));
}

function unprefixed(problems: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(problems).flatMap(([k, v]) => (k.startsWith(prefix) ? [[k.slice(prefix.length), v]] : [])));
}
