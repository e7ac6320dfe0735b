export { api, createApiClient } from './client';
export type { ApiClient, QueryParams, RequestOptions } from './client';
export { ApiError, errorMessage, shouldRetry } from './errors';
export { authApi } from './auth';
export { dashboardApi } from './dashboard';
export { createQueryClient, queryKeys } from './queryClient';
export type * from './types';
