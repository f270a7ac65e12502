package topology

import (
	"fmt"
	"strings"
)

// KMS actions of the encryption middleware: GenerateDataKey when
// encrypting, Decrypt when decrypting, DescribeKey in its health check.
var kmsActions = []string{"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"}

// key returns the UseKey statement of the plan's KMS key, none without
// one. A key id or key ARN is granted on the key's ARN. An alias or alias
// ARN cannot be resolved without a KMS call, and IAM authorizes KMS calls on
// the key, not the alias: it is granted on the keys of the alias's account
// and region that carry the alias (kms:ResourceAliases).
func (b iamBuilder) key() ([]IAMStatement, error) {
	id := b.plan.KMSKeyID
	if id == "" {
		return nil, nil
	}
	if err := ValidateKMSKeyID(id); err != nil {
		return nil, fmt.Errorf("%w: KMSKeyID: %w", ErrInvalidPlan, err)
	}
	s := allow("UseKey", nil, kmsActions...)
	switch {
	case strings.HasPrefix(id, "alias/"):
		s.Resource = []string{b.arn("kms", "key/*")}
		s.Condition = resourceAlias(id)
	case strings.HasPrefix(id, "arn:"):
		parts := strings.SplitN(id, ":", 6) // arn:partition:kms:region:account:key/… or alias/…
		if name, ok := strings.CutPrefix(parts[5], "alias/"); ok {
			s.Resource = []string{strings.Join(append(parts[:5:5], "key/*"), ":")}
			s.Condition = resourceAlias("alias/" + name)
		} else {
			s.Resource = []string{id}
		}
	default: // a key id: a UUID or "mrk-…"
		s.Resource = []string{b.arn("kms", "key/"+id)}
	}
	return []IAMStatement{s}, nil
}

func resourceAlias(alias string) map[string]map[string][]string {
	return map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": {alias}}}
}
