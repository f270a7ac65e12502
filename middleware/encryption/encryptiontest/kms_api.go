package encryptiontest

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// beginKey begins a request (see begin) and resolves the key it names. The
// caller holds mu afterwards, whatever the result.
func (k *KMS) beginKey(counter *int, ref *string) (*key, error) {
	if err := k.begin(counter); err != nil {
		return nil, err
	}
	return k.resolve(ref)
}

// beginMetadata begins a request that reads the metadata of the key ref
// names (see beginKey): it fails when access to the key is denied, not when
// the key is disabled. The caller holds mu afterwards, whatever the result.
func (k *KMS) beginMetadata(counter *int, ref *string) (*key, error) {
	x, err := k.beginKey(counter, ref)
	if err == nil && x.denied {
		err = usable(x)
	}
	return x, err
}

// usable checks the key state for a cryptographic operation.
func usable(x *key) error {
	if x.denied {
		return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to use " + ARN(x.id)}
	}
	if x.disabled {
		return &types.DisabledException{Message: ptr(ARN(x.id) + " is disabled")}
	}
	return nil
}

// canonical encodes an encryption context unambiguously, keys sorted, as
// the additional data of a wrapped key.
func canonical(ec map[string]string) ([]byte, error) {
	keys := make([]string, 0, len(ec))
	for name, v := range ec {
		if name == "" || v == "" {
			return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "encryption context keys and values must not be empty"}
		}
		keys = append(keys, name)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, name := range keys {
		fmt.Fprintf(&b, "%d:%s=%d:%s;", len(name), name, len(ec[name]), ec[name])
	}
	return []byte(b.String()), nil
}

func ptr(s string) *string { return &s }

// GenerateDataKey implements encryption.KMSAPI. Only KeySpec AES_256 is
// supported.
func (k *KMS) GenerateDataKey(_ context.Context, in *kms.GenerateDataKeyInput, _ ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	x, err := k.beginKey(&k.calls.GenerateDataKey, in.KeyId)
	defer k.mu.Unlock()
	if err == nil {
		err = usable(x)
	}
	if err != nil {
		return nil, err
	}
	if in.KeySpec != types.DataKeySpecAes256 {
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "fake supports KeySpec AES_256 only"}
	}
	aad, err := canonical(in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	dk := make([]byte, 32)
	_, _ = rand.Read(dk)
	blob := make([]byte, idLen+nonceLen, idLen+nonceLen+len(dk)+16)
	copy(blob, x.id)
	_, _ = rand.Read(blob[idLen:])
	blob = x.master.Seal(blob, blob[idLen:], dk, aad)
	k.dataKeys = append(k.dataKeys, append([]byte(nil), dk...))
	return &kms.GenerateDataKeyOutput{CiphertextBlob: blob, Plaintext: dk, KeyId: ptr(ARN(x.id))}, nil
}

// Decrypt implements encryption.KMSAPI. When KeyId is set it must name the
// key that wrapped the blob (IncorrectKeyException otherwise).
func (k *KMS) Decrypt(_ context.Context, in *kms.DecryptInput, _ ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	err := k.begin(&k.calls.Decrypt)
	defer k.mu.Unlock()
	if in.KeyId != nil {
		k.calls.DecryptWithKeyID++
	}
	if err != nil {
		return nil, err
	}
	invalid := &types.InvalidCiphertextException{Message: ptr("the ciphertext is invalid")}
	blob := in.CiphertextBlob
	if len(blob) < idLen+nonceLen+16 {
		return nil, invalid
	}
	x, ok := k.keys[string(blob[:idLen])]
	if !ok {
		return nil, invalid
	}
	if in.KeyId != nil {
		want, err := k.resolve(in.KeyId)
		if err != nil {
			return nil, err
		}
		if want != x {
			return nil, &types.IncorrectKeyException{Message: ptr("the key does not match the ciphertext")}
		}
	}
	if err := usable(x); err != nil {
		return nil, err
	}
	aad, err := canonical(in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	dk, err := x.master.Open(nil, blob[idLen:idLen+nonceLen], blob[idLen+nonceLen:], aad)
	if err != nil {
		return nil, invalid
	}
	return &kms.DecryptOutput{Plaintext: dk, KeyId: ptr(ARN(x.id)), EncryptionAlgorithm: types.EncryptionAlgorithmSpecSymmetricDefault}, nil
}

// DescribeKey implements encryption.KMSAPI.
func (k *KMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	x, err := k.beginMetadata(&k.calls.DescribeKey, in.KeyId)
	defer k.mu.Unlock()
	if err != nil {
		return nil, err
	}
	state, manager := types.KeyStateEnabled, types.KeyManagerTypeCustomer
	if x.disabled {
		state = types.KeyStateDisabled
	}
	if x.awsManaged {
		manager = types.KeyManagerTypeAws
	}
	arn := ARN(x.id)
	if x.account != "" {
		arn = strings.Replace(arn, ":"+Account+":", ":"+x.account+":", 1)
	}
	return &kms.DescribeKeyOutput{KeyMetadata: &types.KeyMetadata{
		KeyId: ptr(x.id), Arn: ptr(arn), Enabled: !x.disabled, KeyState: state, KeyManager: manager,
		KeyUsage: types.KeyUsageTypeEncryptDecrypt, KeySpec: types.KeySpecSymmetricDefault,
	}}, nil
}

// GetKeyPolicy returns the key policy of a key named by its id or ARN (KMS
// takes no alias here); "default" is the only policy name.
func (k *KMS) GetKeyPolicy(_ context.Context, in *kms.GetKeyPolicyInput, _ ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	if in.KeyId != nil && strings.Contains(*in.KeyId, "alias/") {
		k.mu.Lock()
		k.calls.GetKeyPolicy++
		k.mu.Unlock()
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "GetKeyPolicy takes a key id or key ARN, not an alias"}
	}
	x, err := k.beginMetadata(&k.calls.GetKeyPolicy, in.KeyId)
	defer k.mu.Unlock()
	if err != nil {
		return nil, err
	}
	name := "default"
	if in.PolicyName != nil && *in.PolicyName != name {
		return nil, &types.NotFoundException{Message: ptr("no policy " + *in.PolicyName)}
	}
	return &kms.GetKeyPolicyOutput{Policy: ptr(x.policy), PolicyName: ptr(name)}, nil
}
