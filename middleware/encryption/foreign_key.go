package encryption

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sourceflow-go/sourceflow"
)

// maxServedKeys bounds the key ARNs a Decrypter without KeyIDs remembers
// having unwrapped a data key with; past it, a denied key it does not
// remember keeps the grace.
const maxServedKeys = 64

// servedKeys are the key ARNs KMS reported unwrapping a data key with, on
// a Decrypter without DecrypterConfig.KeyIDs.
type servedKeys struct {
	mu   sync.RWMutex
	arns map[string]bool
}

// add records that keyARN unwrapped a data key.
func (s *servedKeys) add(keyARN string) {
	s.mu.RLock()
	known := s.arns[keyARN]
	s.mu.RUnlock()
	if known || keyARN == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.arns == nil {
		s.arns = map[string]bool{}
	}
	if len(s.arns) < maxServedKeys {
		s.arns[keyARN] = true
	}
}

// foreign reports whether keyARN is a key that never unwrapped a data key
// here while others did, and the record is not full.
func (s *servedKeys) foreign(keyARN string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.arns) == 0 || len(s.arns) >= maxServedKeys || s.arns[keyARN] {
		return false
	}
	name := multiRegionName(keyARN)
	for arn := range s.arns {
		if name != "" && multiRegionName(arn) == name {
			return false
		}
	}
	return true
}

// judgeDenial decides, for a Decrypter without KeyIDs, whether KMS's
// access denial of an unpinned Decrypt (in) of a message whose header
// names headerKey is a sender's key rather than the service's: permanent
// then, instead of timed by KeyRefusalGrace. Without KeyIDs the header's
// key is the sender's word, and KMS denies a key the consumer was never
// granted as it denies one whose grant an operator revoked. So Decrypt is
// asked again, pinned to the key the header names: KMS refusing it as not
// the key that wrapped the data key (ErrTampered) shows the header lies.
// And a key the header names that never unwrapped a data key here, while
// others did, is the sender's: the service's keys are granted to its
// consumers before producers use them. A Decrypter that has unwrapped
// nothing yet cannot tell and keeps the grace, as a denial of a key that
// served here does (a revoked grant). It returns nil to keep the grace.
func (d *Decrypter) judgeDenial(ctx context.Context, in *kms.DecryptInput, headerKey string, denied error) error {
	if k, ok := parseKeyARN(headerKey); ok {
		if pin := d.allowed.pin(k); pin != "" {
			probe := *in
			probe.KeyId = aws.String(pin)
			out, err := d.decryptCall(ctx, &probe)
			if out != nil {
				clear(out.Plaintext)
			}
			if errors.Is(err, ErrTampered) {
				return fmt.Errorf("%w (the header names key %s, which did not wrap the data key; unpinned: %w)",
					err, quotedText(headerKey), denied)
			}
		}
	}
	if d.served.foreign(headerKey) {
		return sourceflow.Permanent(fmt.Errorf("%w (the header names key %s, which never unwrapped a data key here "+
			"while others did: a key of the sender's; DecrypterConfig.KeyIDs names the service's)", denied, quotedText(headerKey)))
	}
	return nil
}

// decryptCall calls KMS Decrypt with in, retrying throttling, and returns
// the answer, complete, or the error classified.
func (d *Decrypter) decryptCall(ctx context.Context, in *kms.DecryptInput) (*kms.DecryptOutput, error) {
	var out *kms.DecryptOutput
	err := d.kms.call(ctx, "Decrypt", func(ctx context.Context) error {
		d.stats.decrypt.Add(1)
		var err error
		out, err = d.kms.api.Decrypt(ctx, in)
		if err = complete(out, err, d.lacksKeyID); err != nil && out != nil {
			clear(out.Plaintext) // a failed answer's data key, retried or not
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
