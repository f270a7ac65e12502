package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

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

// resolveKeyIDs returns the key ARNs of ids, checking each id once with
// kms:DescribeKey before any message is received: an id KMS finds no key
// for (a mistyped alias, or a well-formed key ARN of no key) fails the
// command once, instead of every message's payload, and peek, which reads
// each message once, has no later resolution to wait for. A key ARN is
// kept as given (a multi-Region key's is accepted in any Region, see
// describeKeyID), unchecked when the credentials may not describe it, as
// the consumer's Decrypter, which needs no kms:DescribeKey for a key ARN,
// uses it; any other id becomes the ARN of the key it names.
func resolveKeyIDs(ctx context.Context, s *session, api encryption.KMSAPI, bound time.Duration, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		keyARN, err := describeKeyID(ctx, s, api, bound, id)
		if encryption.IsKeyARN(id) && (err == nil || deniedKey(err)) {
			keyARN, err = id, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, keyARN)
	}
	return out, nil
}

// deniedKey reports whether err is KMS refusing the credentials the call
// (AccessDeniedException): the key may exist, and may still be usable for
// kms:Decrypt.
func deniedKey(err error) bool {
	api, ok := errors.AsType[smithy.APIError](err)
	return ok && api.ErrorCode() == "AccessDeniedException"
}

// describeKeyID returns the ARN of the key id names, from kms:DescribeKey,
// or the command's error: a usage error when KMS finds no such key, else an
// AWS error whose advice names the KMS client's endpoint (and
// --check-timeout, for a call that bound cut short). A multi-Region
// key ARN of another Region is described as its replica in the client's
// Region, to which KMS Decrypt is pinned (localReplica).
func describeKeyID(ctx context.Context, s *session, api encryption.KMSAPI, bound time.Duration, id string) (string, error) {
	region, endpoint := kmsTarget(api, s.clients.Region, s.shared.profile)
	desc, err := api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(localReplica(id, region))})
	if unknownKey(err) {
		return "", &ExitError{Code: ExitUsage, Err: fmt.Errorf("--key-id %s: KMS finds no such key (%w); "+
			"check the key id or alias and the region (%s)", id, err, region)}
	}
	if err != nil {
		return "", s.boundedFailureAt(ctx, "dlq peek --key-id "+id+": kms:DescribeKey", err, bound, region, endpoint)
	}
	if desc == nil || desc.KeyMetadata == nil || aws.ToString(desc.KeyMetadata.Arn) == "" {
		return "", &ExitError{Code: ExitAWS, Err: fmt.Errorf("--key-id %s: kms:DescribeKey returned no key ARN", id)}
	}
	return aws.ToString(desc.KeyMetadata.Arn), nil
}

// localReplica returns id, or for the key ARN of a multi-Region key (key
// id mrk-…) in another Region than region, the ARN of its replica in
// region: KMS calls name a key of the Region they are made in.
func localReplica(id, region string) string {
	a, err := arn.Parse(id)
	if err != nil || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/mrk-") || region == "" || a.Region == region {
		return id
	}
	a.Region = region
	return a.String()
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
