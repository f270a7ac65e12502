package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// checkKeyIDs refuses an empty --key-id, which names no key.
func checkKeyIDs(ids []string) error {
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--key-id %q: empty; give a key id, key ARN, alias "+
				"or alias ARN, once per key", id)}
		}
	}
	return nil
}

// distinct returns ids without repeats, in their first order, so that a
// --key-id given twice is resolved and named once.
func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool {
		dup := seen[id]
		seen[id] = true
		return dup
	})
}

// unknownKey reports whether err is KMS naming no key for the id it was
// given: none of that name (NotFoundException) or an ARN it cannot read
// (InvalidArnException), which the id, not the credentials, must fix.
func unknownKey(err error) bool {
	_, notFound := errors.AsType[*kmstypes.NotFoundException](err)
	_, invalidARN := errors.AsType[*kmstypes.InvalidArnException](err)
	return notFound || invalidARN
}

// resolveKeyIDs returns the key ARNs of ids, resolving each id other than
// a key ARN once with kms:DescribeKey, before any message is received: an
// id KMS cannot resolve (a mistyped alias) fails the command once, instead
// of every message's payload, and peek, which reads each message once, has
// no later resolution to wait for.
func resolveKeyIDs(ctx context.Context, s *session, api encryption.KMSAPI, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if encryption.IsKeyARN(id) { // the Decrypter resolves any other
			out = append(out, id)
			continue
		}
		desc, err := api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if unknownKey(err) {
			return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--key-id %s: KMS finds no such key (%w); "+
				"check the key id or alias and the region (%s)", id, err, s.clients.Region)}
		}
		if err != nil {
			return nil, s.awsFailure("dlq peek --key-id "+id+": kms:DescribeKey", err)
		}
		if desc.KeyMetadata == nil || aws.ToString(desc.KeyMetadata.Arn) == "" {
			return nil, &ExitError{Code: ExitAWS, Err: fmt.Errorf("--key-id %s: kms:DescribeKey returned no key ARN", id)}
		}
		out = append(out, aws.ToString(desc.KeyMetadata.Arn))
	}
	return out, nil
}

// resolvedText says what each of ids other than a key ARN resolved to,
// keyARNs being resolveKeyIDs' answer: "alias/orders is arn:…, …"; "" when
// every id is a key ARN.
func resolvedText(ids, keyARNs []string) string {
	var parts []string
	for i, id := range ids {
		if id != keyARNs[i] {
			parts = append(parts, id+" is "+keyARNs[i])
		}
	}
	return strings.Join(parts, ", ")
}
