import { describe, expect, it } from 'vitest';
import { isProfileName, PROFILES, type Profile } from '../src/profile.ts';
import { validateImageTag, validateProfile } from '../src/profile-validation.ts';

describe('profiles', () => {
  it('accepts the committed profiles', () => {
    for (const profile of Object.values(PROFILES)) expect(validateProfile(profile)).toBe(profile);
  });

  it('knows its profile names and nothing else', () => {
    expect(isProfileName('dev') && isProfileName('prod')).toBe(true);
    expect(isProfileName('staging')).toBe(false);
    expect(isProfileName('toString')).toBe(false);
  });

  it('keeps dev cheap and prod highly available', () => {
    expect(PROFILES.dev).toMatchObject({
      natGateways: 1,
      waf: false,
      database: { multiAz: false, deletionProtection: false, backupRetentionDays: 7 },
    });
    expect(PROFILES.prod).toMatchObject({
      waf: true,
      database: { multiAz: true, deletionProtection: true, backupRetentionDays: 35 },
    });
    expect(PROFILES.prod.natGateways).toBe(PROFILES.prod.availabilityZones.length);
    expect(PROFILES.prod.backup).toEqual({ dailyRetentionDays: 35, monthlyRetentionDays: 365 });
  });

  it('names every problem of a bad profile at once', () => {
    const bad: Profile = {
      ...PROFILES.dev,
      account: '123',
      vpcCidr: '172.100.0.0/16', // the course's CIDR: public address space
      availabilityZones: ['us-east-1a'],
      api: { ...PROFILES.dev.api, cpu: 256, memoryMiB: 4096, minTasks: 1 },
    };
    let message = '';
    try {
      validateProfile(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('account: 12 digits');
    expect(message).toContain('vpcCidr: must be RFC 1918');
    expect(message).toContain('availabilityZones: 2 or 3');
    expect(message).toContain('api: 4096 MiB is not valid Fargate memory for 256 CPU units');
    expect(message).toContain('api.minTasks: ≥ 2');
  });

  it('rejects a domain outside its zone and a NAT count that is neither 1 nor one per AZ', () => {
    expect(() =>
      validateProfile({
        ...PROFILES.prod,
        domain: { name: 'todo.example.com', hostedZoneId: 'Z123', zoneName: 'example.org' },
      }),
    ).toThrow(/domain.name: must lie in domain.zoneName/);
    expect(() => validateProfile({ ...PROFILES.prod, natGateways: 2 })).toThrow(/natGateways/);
  });

  it('takes a commit as the image tag and refuses moving tags', () => {
    expect(validateImageTag('0123abc')).toBe('0123abc');
    expect(() => validateImageTag('latest')).toThrow(/never "latest"/);
    expect(() => validateImageTag('main')).toThrow(/git commit/);
  });
});
