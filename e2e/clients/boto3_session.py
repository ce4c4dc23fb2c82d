"""A customer's session with boto3 (Debian's python3-boto3) against a Symbolon endpoint.

Reads SYMBOLON_ENDPOINT and the AWS_* credentials from the environment, prints one JSON object with what it saw.
Any exception ends the script with exit code 1 and the error on stderr.
"""
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError


def main() -> None:
    kms = boto3.client("kms", endpoint_url=os.environ["SYMBOLON_ENDPOINT"], region_name=os.environ["AWS_DEFAULT_REGION"])
    seen = {}
    key = kms.create_key(Description="boto3 session")["KeyMetadata"]
    key_id = key["KeyId"]
    alias = "alias/boto3-" + key_id[:8]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    context = {"app": "boto3", "purpose": "session"}
    blob_v1 = kms.encrypt(KeyId=alias, Plaintext=b"hello from boto3", EncryptionContext=context)["CiphertextBlob"]
    seen["decrypt_v1"] = kms.decrypt(CiphertextBlob=blob_v1, EncryptionContext=context)["Plaintext"].decode()
    # Debian's boto3 (1.26) predates RotateKeyOnDemand: rotation here is automatic rotation, switched on and read back.
    kms.enable_key_rotation(KeyId=key_id)
    seen["rotation_enabled"] = kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    kms.disable_key_rotation(KeyId=key_id)
    seen["rotation_disabled"] = not kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    seen["aliases"] = [a["AliasName"] for a in kms.list_aliases(KeyId=key_id)["Aliases"]]
    deletion = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    seen["state_after_schedule"] = deletion["KeyState"]
    try:
        kms.encrypt(KeyId=key_id, Plaintext=b"x")
        seen["encrypt_pending_deletion"] = "succeeded"
    except ClientError as e:
        seen["encrypt_pending_deletion"] = e.response["Error"]["Code"]
    kms.cancel_key_deletion(KeyId=key_id)
    seen["state_after_cancel"] = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    try:
        kms.describe_key(KeyId="alias/does-not-exist")
        seen["unknown_alias"] = "succeeded"
    except ClientError as e:
        seen["unknown_alias"] = e.response["Error"]["Code"]
    print(json.dumps(seen))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - reported to the test as text
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
