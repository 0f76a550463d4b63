import { RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface BackupCopyVaultProps {
  /** The vault's name: fixed, so that the source region can name it without a lookup. */
  readonly vaultName: string;
}

/**
 * The vault in the second region that receives a copy of every recovery point: a regional
 * outage or a mistake in the primary account region does not take the backups with it.
 */
export class BackupCopyVault extends Construct {
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: BackupCopyVaultProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: 'cloud-todo backup copies',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
