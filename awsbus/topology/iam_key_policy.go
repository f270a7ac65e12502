package topology

import (
	"fmt"
	"slices"
)

// SNSKeyActions returns SNS's actions on a key it stores messages under: a
// data key for each message written to an encrypted topic or queue
// (kms:GenerateDataKey), and decrypting it (kms:Decrypt). Those are the
// only calls SNS makes under the key, the actions AWS's guides list for
// SNS on an encrypted topic or queue and the ones Validate checks the key
// policy for; no wildcard, which would also grant GenerateDataKeyPair and
// GenerateDataKeyWithoutPlaintext. NewKeyPolicyStatements grants them
// (sorted), and so does the key policy of iac's documents (in this order):
// one list, so the two cannot drift apart.
func SNSKeyActions() []string { return []string{"kms:GenerateDataKey", "kms:Decrypt"} }

// NewKeyPolicyStatements returns the statements the key policy of p's KMS
// key needs besides the account's own access, for the encryption at rest
// Create sets up: SNS may generate and decrypt data keys for p's topics, to
// store their messages under the key and to deliver them to the service's
// queues encrypted under it. The statement is limited to those topics
// (aws:SourceArn) of the account (aws:SourceAccount); a second one lets
// SNS of the owners of the topics of another account the service's queues
// are subscribed to (named by ARN, Plan.Foreign) deliver from them to
// those queues, naming SNS's regional principal of an opt-in region the
// topic or the key (cfg.Region) is in when they differ (SNSPrincipals).
// The services
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
	var stmts []IAMStatement
	if topics := b.arns("sns", b.topics()); len(topics) > 0 {
		stmts = append(stmts, snsKeyStatement("SNSStoresAndDelivers", []string{snsPrincipal}, []string{cfg.AccountID}, topics))
	}
	if topics := p.SubscribedForeignTopics(); len(topics) > 0 {
		var owners, regional []string
		for _, arn := range topics {
			owners = append(owners, arnField(arn, 4))
			regional = append(regional, SNSPrincipals(arnRegion(arn), cfg.Region)[1:]...)
		}
		slices.Sort(owners)
		slices.Sort(regional)
		principals := append([]string{snsPrincipal}, slices.Compact(regional)...)
		stmts = append(stmts, snsKeyStatement("SNSDeliversFromForeignTopics", principals, slices.Compact(owners), topics))
	}
	return stmts, nil
}

// snsKeyStatement lets SNS, calling as one of principals, use the key for
// topics of accounts.
func snsKeyStatement(sid string, principals, accounts, topics []string) IAMStatement {
	s := allow(sid, []string{"*"}, SNSKeyActions()...)
	s.Principal = map[string][]string{"Service": principals}
	s.Condition = map[string]map[string][]string{
		"StringEquals": {"aws:SourceAccount": accounts},
		"ArnLike":      {"aws:SourceArn": topics},
	}
	return s
}
