import { describe, expect, it } from 'vitest';

import { deviceLabel } from './deviceLabel';

describe('device labels', () => {
  it('names devices from their user agent', () => {
    expect(deviceLabel('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36')).toBe('Chrome on Linux');
    expect(deviceLabel('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0')).toBe('Edge on Windows');
    expect(deviceLabel('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1'))
      .toBe('Safari on iOS');
    expect(deviceLabel('python-httpx/0.27')).toBe('Unknown device');
    expect(deviceLabel('')).toBe('Unknown device (no user agent)');
  });
});
