package topology

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// keyPolicyName is the only name a KMS key policy has.
const keyPolicyName = "default"

// snsKeyCalls are the KMS calls SNS makes under a key: a data key for each
// message it stores or delivers encrypted, and decrypting it.
var snsKeyCalls = []string{"kms:Decrypt", "kms:GenerateDataKey"}

// validateKey checks the plan's KMS key when the Provisioner has a KMS
// client: the key is in the Provisioner's region (CheckKeyRegion, before
// any call), exists, is enabled and encrypts symmetrically, and, when
// the plan has topics or subscribes to topics of another account, it is
// customer managed and its key policy lets SNS use it for every one. Without that SNS can neither store a topic's
// messages nor deliver them to a queue encrypted under the key, and it
// drops them. What the check may not read (a denied KMS call, the policy of
// a key of another account) is reported as not checked; another failed
// call is Validate's error.
func (t *Provisioner) validateKey(ctx context.Context, res *resolved, rep *DriftReport, p Plan) error {
	if t.cfg.KMS == nil || p.KMSKeyID == "" {
		return nil
	}
	if err := CheckKeyRegion(p.KMSKeyID, t.cfg.Region); err != nil {
		rep.add("key", p.KMSKeyID, "%v", err)
		return nil
	}
	out, err := t.cfg.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(p.KMSKeyID)})
	if done, err := keyCallDrift(rep, p.KMSKeyID, "kms:DescribeKey", out != nil, err); done {
		return err
	}
	meta := out.KeyMetadata
	if meta == nil {
		rep.add("key", p.KMSKeyID, "not checked: kms:DescribeKey returned no key metadata")
		return nil
	}
	if meta.KeyState != kmstypes.KeyStateEnabled {
		rep.add("key", p.KMSKeyID, "is %s: SQS and SNS cannot encrypt messages under it", meta.KeyState)
	}
	if meta.KeySpec != kmstypes.KeySpecSymmetricDefault || meta.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt {
		rep.add("key", p.KMSKeyID, "is a %s key for %s: SQS and SNS encrypt only under a symmetric encryption key (SYMMETRIC_DEFAULT)",
			meta.KeySpec, meta.KeyUsage)
	}
	topics := t.topicARNs(ctx, res, p)
	if len(topics) == 0 {
		return nil
	}
	if meta.KeyManager == kmstypes.KeyManagerTypeAws {
		rep.add("key", p.KMSKeyID, "is an AWS managed key, whose policy cannot let SNS use it: name a customer managed key")
		return nil
	}
	keyARN := aws.ToString(meta.Arn)
	if owner, here := arnField(keyARN, 4), t.serviceAccount(res, p, topics); owner != here {
		rep.add("key", p.KMSKeyID, "not checked: the key belongs to account %s, and KMS shows a key policy only in "+
			"the key's own account: check there that it has the statement `sourceflow iam-policy --key-policy` prints", owner)
		return nil
	}
	pol, err := t.cfg.KMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: meta.KeyId, PolicyName: aws.String(keyPolicyName)})
	if done, err := keyCallDrift(rep, p.KMSKeyID, "kms:GetKeyPolicy", pol != nil, err); done {
		return err
	}
	reportKeyPolicy(rep, p.KMSKeyID, keyARN, aws.ToString(pol.Policy), topics)
	return nil
}

// keyCallDrift reads the answer of a KMS call, answered when it has an
// output: a missing key is a drift, a denied call, or one answered with
// neither an output nor an error (a KMSAPI other than *kms.Client may),
// leaves the key not checked (done, no error), and any other failure, an
// ended context included, is the call's error.
func keyCallDrift(rep *DriftReport, keyID, call string, answered bool, err error) (done bool, _ error) {
	var nf *kmstypes.NotFoundException
	switch {
	case err == nil && answered:
		return false, nil
	case err == nil:
		rep.add("key", keyID, "not checked: %s returned no output", call)
		return true, nil
	case errors.As(err, &nf):
		rep.add("key", keyID, "not found: create it or name another key in the topology")
		return true, nil
	case hasErrorCode(err, "AccessDeniedException"):
		rep.add("key", keyID, "not checked: %s denied (%v)", call, err)
		return true, nil
	}
	return true, fmt.Errorf("%s %s: %w", call, keyID, err)
}

// topicARNs returns the ARNs of p's topics: those found, and those of
// missing topics as Create will name them, so that a plan before the first
// apply checks the key too; then those of the topics of another account
// its queues are subscribed to.
func (t *Provisioner) topicARNs(ctx context.Context, res *resolved, p Plan) []string {
	var arns []string
	for _, tp := range p.Topics {
		arn, ok := res.topicARN[tp.Name]
		if !ok {
			var err error
			if arn, err = t.topicARNFor(ctx, tp.Name, res); err != nil {
				continue // reported as not checked with the topic
			}
		}
		arns = append(arns, arn)
	}
	for _, arn := range p.SubscribedForeignTopics() { // SNS of its owner delivers to a queue under the key
		if !slices.Contains(arns, arn) {
			arns = append(arns, arn)
		}
	}
	return arns
}

// serviceAccount returns the account of p's own resources: that of its
// first own topic among topics (topicARNs), or, when it has none, that of
// the queue subscribed to the first topic of another account.
func (t *Provisioner) serviceAccount(res *resolved, p Plan, topics []string) string {
	for _, arn := range topics {
		if _, foreign := p.foreign(arn); !foreign {
			return arnField(arn, 4)
		}
	}
	for _, s := range p.Subscriptions {
		if arn := res.queueARN[s.Queue]; arn != "" {
			return arnField(arn, 4)
		}
	}
	return ""
}

// reportKeyPolicy adds one drift naming the topics for which policy does
// not let SNS use the key, and the principals SNS calls as for them
// (snsCaller: the regional one of an opt-in region across regions).
func reportKeyPolicy(rep *DriftReport, keyID, keyARN, policy string, topicARNs []string) {
	doc, err := parsePolicy(policy, "key", keyID)
	if err != nil {
		rep.add("key", keyID, "not checked: %v", err)
		return
	}
	stmts := statements(doc["Statement"])
	var refused, principals, denials []string
	for _, arn := range topicARNs {
		caller := snsCallerOf(arn, keyARN)
		ok, deny := keyPolicyLetsSNS(stmts, keyARN, snsRequest{topicARN: arn, account: arnField(arn, 4), principal: caller})
		if !ok {
			refused = append(refused, arn[strings.LastIndex(arn, ":")+1:])
			principals = append(principals, caller)
		}
		if deny != "" && !slices.Contains(denials, deny) {
			denials = append(denials, deny)
		}
	}
	if len(refused) == 0 {
		return
	}
	slices.Sort(principals)
	callers := strings.Join(slices.Compact(principals), ", ")
	why := "no Allow statement for " + callers + " whose action, resource and conditions all cover it"
	if len(denials) > 0 {
		why = "Deny statement " + strings.Join(denials, ", ") + " may refuse it"
	}
	rep.add("key", keyID, "policy does not let %s use the key (%s) for topic(s) %s (%s), so SNS "+
		"drops their messages: add the statement `sourceflow iam-policy --key-policy` prints",
		callers, strings.Join(snsKeyCalls, ", "), strings.Join(refused, ", "), why)
}

// keyPolicyLetsSNS reports whether a key policy lets SNS make every call of
// snsKeyCalls for r: an Allow statement covers each for certain and no
// Deny statement may apply. A statement with an element or condition the
// check cannot evaluate counts as no Allow and as a possible Deny. deny
// names the first Deny statement that may apply ("#n" when it has no Sid).
func keyPolicyLetsSNS(stmts []any, keyARN string, r snsRequest) (ok bool, deny string) {
	for _, call := range snsKeyCalls {
		allowed := false
		for i, s := range stmts {
			m, _ := s.(map[string]any)
			v := statementCovers(m, call, keyARN, r)
			switch m["Effect"] {
			case "Allow":
				allowed = allowed || v == verdictYes
			case "Deny":
				if v != verdictNo {
					return false, statementName(m, i)
				}
			}
		}
		if !allowed {
			return false, ""
		}
	}
	return true, ""
}

// statementName is a statement's Sid, or "#n" for the n-th.
func statementName(m map[string]any, i int) string {
	if sid, _ := m["Sid"].(string); sid != "" {
		return strconv.Quote(sid)
	}
	return "#" + strconv.Itoa(i+1)
}
