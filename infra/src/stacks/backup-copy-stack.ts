import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BackupCopyVault } from '../constructs/backup-copy-vault.ts';

export interface BackupCopyStackProps extends StackProps {
  /** The vault's fixed name (see {@link backupCopyVaultName}). */
  readonly vaultName: string;
}

/** The name of a profile's copy vault, known to both regions without a lookup. */
export function backupCopyVaultName(profileName: string): string {
  return `cloud-todo-${profileName}-copies`;
}

/**
 * Stateful, in the profile's `backup.copyToRegion`: the vault that the backup plan copies
 * into. Termination-protected; the vault and its key are retained.
 */
export class BackupCopyStack extends Stack {
  readonly copyVault: BackupCopyVault;

  constructor(scope: Construct, id: string, props: BackupCopyStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    this.copyVault = new BackupCopyVault(this, 'BackupCopy', { vaultName: props.vaultName });
  }
}
