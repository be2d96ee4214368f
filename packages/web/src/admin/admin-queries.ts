import { useQuery } from '@tanstack/react-query';
import { useSession } from '../session/session-context.js';
import type { Account, Role } from './admin-types.js';

export function useAccounts() {
  const { api } = useSession();
  return useQuery({ queryKey: ['admin', 'users'], queryFn: () => api.get<Account[]>('/admin/users') });
}

export function useRoles() {
  const { api } = useSession();
  return useQuery({ queryKey: ['admin', 'roles'], queryFn: () => api.get<Role[]>('/admin/roles') });
}
