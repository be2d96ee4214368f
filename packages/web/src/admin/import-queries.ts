import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../session/session-context.js';
import { isImportRunning, type DataImport } from './import-types.js';

/** How often a running import's progress is asked for. */
const POLL_MS = 1000;

export function useImports() {
  const { api } = useSession();
  return useQuery({
    queryKey: ['admin', 'imports'],
    queryFn: () => api.get<DataImport[]>('/admin/imports'),
    refetchInterval: (query) => (query.state.data?.some(isImportRunning) ? POLL_MS : false),
  });
}

/** One import with its error report; polled until it has finished. */
export function useImport(id: string) {
  const { api } = useSession();
  return useQuery({
    queryKey: ['admin', 'imports', id],
    queryFn: () => api.get<DataImport>(`/admin/imports/${id}`),
    refetchInterval: (query) => (!query.state.data || isImportRunning(query.state.data) ? POLL_MS : false),
  });
}

export function useStartImport() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (files: readonly File[]) => {
      const uploaded = await Promise.all(files.map(async (file) => ({ name: file.name, content: await file.text() })));
      return api.post<DataImport>('/admin/imports', { files: uploaded });
    },
    onSuccess: (started) => {
      queryClient.setQueryData<DataImport[]>(['admin', 'imports'], (imports) => [started, ...(imports ?? [])]);
      return queryClient.invalidateQueries({ queryKey: ['admin', 'imports'], exact: true });
    },
  });
}
