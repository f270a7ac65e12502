package encryption

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sourceflow-go/sourceflow"
)

// resolveInterval is the shortest time between two resolutions of the
// allowed keys, so that a stream of messages under a foreign key costs at
// most one DescribeKey call per key a second.
const resolveInterval = time.Second

// allowedKeys checks the KMS key a data key was wrapped under against
// DecrypterConfig.KeyIDs, resolved to key ARNs. An alias is resolved again
// when a message names a key it did not resolve to, and the keys it
// resolved to before stay allowed, so a key rotated by moving its alias is
// accepted, and so are the messages still under the previous key.
type allowedKeys struct {
	ids    []string
	kms    kmsCaller
	clock  sourceflow.Clock
	region string // of the KMS client, when it reports one

	resolving sync.Mutex // one resolution at a time, outside mu

	mu       sync.RWMutex
	keys     map[string]bool // key ARNs, and multi-Region keys' ARNs without a Region
	resolved time.Time       // of the last resolution, failed or not
}

// admit checks, before any KMS call, the key a message's header names (the
// key ARN KMS reported when it generated the data key) and returns the
// KeyId to pin KMS Decrypt to (see pin). The header is not authenticated
// until the data key is unwrapped: a header naming an allowed key over a
// data key wrapped under another fails at KMS (IncorrectKeyException,
// ErrTampered) instead of unwrapping it, and the key KMS reports is checked
// again after the call. Without KeyIDs nothing is checked and nothing
// pinned ("").
func (a *allowedKeys) admit(ctx context.Context, headerKeyID string) (string, error) {
	if len(a.ids) == 0 {
		return "", nil
	}
	k, ok := parseKeyARN(headerKeyID)
	if !ok {
		return "", &KeyNotAllowedError{KeyID: headerKeyID, NotKeyARN: true, KeyIDs: slices.Clone(a.ids)}
	}
	if err := a.check(ctx, headerKeyID); err != nil {
		return "", err
	}
	return a.pin(k), nil
}

// pin returns the KeyId to pin KMS Decrypt to for the allowed key k: its
// ARN, or for a multi-Region key the ARN of its replica in the KMS
// client's Region, since Decrypt takes a key of the Region it is made in
// and the producer may have used the replica of another. A client that
// reports no Region (a *kms.Client wrapped in another type) leaves a
// multi-Region key unpinned (""), as without KeyIDs: the key KMS reports
// is still checked after the call.
func (a *allowedKeys) pin(k keyARN) string {
	if !k.multiRegion() {
		return k.String()
	}
	if a.region == "" {
		return ""
	}
	k.region = a.region
	return k.String()
}

// check returns nil when keyARN is allowed (or no KeyIDs are set). A key
// the ids still do not name after a fresh resolution is an error wrapping
// a *KeyNotAllowedError, and the failures of the ids that did not resolve:
// permanent unless one of those is transient. One met while resolutions
// are paced is transient, so the message is tried again after the next,
// unless every id is a key ARN: no resolution could allow it then.
func (a *allowedKeys) check(ctx context.Context, keyARN string) error {
	if len(a.ids) == 0 || a.allows(keyARN) {
		return nil
	}
	a.resolving.Lock()
	defer a.resolving.Unlock()
	if a.allows(keyARN) { // resolved meanwhile
		return nil
	}
	a.mu.RLock()
	paced := a.keys != nil && a.clock.Now().Sub(a.resolved) < resolveInterval && a.resolvable()
	a.mu.RUnlock()
	notAllowed := error(&KeyNotAllowedError{KeyID: keyARN, KeyIDs: slices.Clone(a.ids)})
	if paced {
		return pacedRefusal{refusal: notAllowed, interval: resolveInterval}
	}
	err := a.resolve(ctx)
	if a.allows(keyARN) {
		return nil
	}
	if err != nil { // an id left unresolved may name keyARN; a transient failure keeps it transient
		return fmt.Errorf("%w (%w)", notAllowed, err)
	}
	return notAllowed
}

// resolvable reports whether an id is other than a key ARN, so that
// resolving it again may allow another key.
func (a *allowedKeys) resolvable() bool {
	return slices.ContainsFunc(a.ids, func(id string) bool { return !IsKeyARN(id) })
}

func (a *allowedKeys) allows(keyARN string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.keys[keyARN] {
		return true
	}
	name := multiRegionName(keyARN)
	return name != "" && a.keys[name]
}

// resolve adds the key ARN every allowed id names now; the caller holds
// resolving. An id that does not resolve (an alias deleted after a
// rotation, a key the role may not describe) leaves the others allowed; the
// failures are returned together. A failed resolution is paced like a
// successful one.
func (a *allowedKeys) resolve(ctx context.Context) error {
	found := map[string]bool{}
	var errs []error
	for _, id := range a.ids {
		arn := id
		if !IsKeyARN(id) {
			var err error
			if arn, err = a.describe(ctx, id); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		found[arn] = true
		if name := multiRegionName(arn); name != "" {
			found[name] = true
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.keys == nil {
		a.keys = map[string]bool{}
	}
	for k := range found {
		a.keys[k] = true
	}
	a.resolved = a.clock.Now()
	return errors.Join(errs...)
}

func (a *allowedKeys) describe(ctx context.Context, id string) (string, error) {
	var out *kms.DescribeKeyOutput
	err := a.kms.call(ctx, "DescribeKey", func(ctx context.Context) error {
		a.kms.stats.describeKey.Add(1)
		var err error
		out, err = a.kms.api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		return complete(out, err, lacksKeyARN)
	})
	if err != nil {
		return "", fmt.Errorf("resolve allowed key %s: %w", id, err)
	}
	return aws.ToString(out.KeyMetadata.Arn), nil
}

// lacksKeyARN names the field a DescribeKey answer resolving an allowed id
// lacks: its key metadata, or the key ARN in it, which an answer without
// would allow as "".
func lacksKeyARN(out *kms.DescribeKeyOutput) string {
	if field := lacksKeyMetadata(out); field != "" {
		return field
	}
	if aws.ToString(out.KeyMetadata.Arn) == "" {
		return "KeyMetadata.Arn"
	}
	return ""
}
