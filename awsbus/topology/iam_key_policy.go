package topology

import "fmt"

// SNS's actions on a key it stores messages under: a data key for each
// message written to an encrypted topic or queue, and decrypting it.
var snsKeyActions = []string{"kms:Decrypt", "kms:GenerateDataKey*"}

// NewKeyPolicyStatements returns the statements the key policy of p's KMS
// key needs besides the account's own access, for the encryption at rest
// Create sets up: SNS may generate and decrypt data keys for p's topics, to
// store their messages under the key and to deliver them to the service's
// queues encrypted under it. The statement is limited to those topics
// (aws:SourceArn) of the account (aws:SourceAccount). The services
// themselves get the key from their identity policy (NewIAMPolicy's
// UseKey). A plan without a key is an error: nothing is encrypted under a
// key of the service's choosing.
func NewKeyPolicyStatements(p Plan, cfg IAMConfig) ([]IAMStatement, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	if p.KMSKeyID == "" {
		return nil, fmt.Errorf("%w: service %q has no KMS key: its queues use SQS-managed encryption, which needs no key policy", ErrInvalidPlan, p.Service)
	}
	b := iamBuilder{plan: p, cfg: cfg}
	topics := b.arns("sns", b.topics())
	if len(topics) == 0 {
		return nil, nil
	}
	s := allow("SNSStoresAndDelivers", []string{"*"}, snsKeyActions...)
	s.Principal = map[string][]string{"Service": {"sns.amazonaws.com"}}
	s.Condition = map[string]map[string][]string{
		"StringEquals": {"aws:SourceAccount": {cfg.AccountID}},
		"ArnLike":      {"aws:SourceArn": topics},
	}
	return []IAMStatement{s}, nil
}
