import { describe, expect, it } from 'vitest';
import { isProfileName, PROFILES, type Profile } from '../src/profile.ts';
import { profileNotes, validateImageTag, validateProfile } from '../src/profile-validation.ts';

describe('profiles', () => {
  it('accepts the committed profiles (prod once it has an alarm address)', () => {
    expect(validateProfile(PROFILES.dev)).toBe(PROFILES.dev);
    expect(validateProfile(PROFILES.course)).toBe(PROFILES.course);
    const prod = { ...PROFILES.prod, alarmEmails: ['oncall@example.org'] };
    expect(validateProfile(prod)).toBe(prod);
  });

  it('refuses prod without an alarm address, unless a named opt-out says why', () => {
    expect(() => validateProfile(PROFILES.prod)).toThrow(
      /alarmEmails: profile prod needs at least one address \(CLOUD_TODO_ALARM_EMAILS\)/,
    );
    expect(() => validateProfile({ ...PROFILES.prod, alarmEmailsOptOut: 'no' })).toThrow(
      /alarmEmails/,
    );
    const optedOut = {
      ...PROFILES.prod,
      alarmEmailsOptOut: 'the on-call tool subscribes to the topic itself',
    };
    expect(validateProfile(optedOut)).toBe(optedOut);
    expect(profileNotes(optedOut).join('\n')).toContain(
      'opt-out: the on-call tool subscribes to the topic itself',
    );
  });

  it('says loudly when a profile serves plain HTTP or alarms reach nobody', () => {
    const notes = profileNotes(PROFILES.dev);
    expect(notes.some((n) => n.includes('serves plain HTTP'))).toBe(true);
    expect(notes.some((n) => n.includes('alarms reach nobody'))).toBe(true);
    const quiet = profileNotes({
      ...PROFILES.prod,
      alarmEmails: ['oncall@example.org'],
      domain: { name: 'todo.example.org', hostedZoneId: 'Z0123', zoneName: 'example.org' },
    });
    expect(quiet).toEqual([]);
  });

  it('sizes the course profile for the failover lab at the lowest price', () => {
    expect(PROFILES.course).toMatchObject({
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      natGateways: 1,
      waf: false,
      database: { instanceType: 't4g.micro', multiAz: true },
    });
  });

  it('knows its profile names and nothing else', () => {
    expect(isProfileName('dev') && isProfileName('course') && isProfileName('prod')).toBe(true);
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
