package topology

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// keyPolicyName is the only name a KMS key policy has.
const keyPolicyName = "default"

// validateKey checks the plan's KMS key when the Provisioner has a KMS
// client: the key exists and is enabled, and, when the plan has topics,
// it is customer managed and its key policy lets SNS use it for every
// topic found. Without that statement SNS can neither store a topic's
// messages nor deliver them to a queue encrypted under the key, and it
// drops them.
func (t *Provisioner) validateKey(ctx context.Context, res *resolved, rep *DriftReport, p Plan) error {
	if t.cfg.KMS == nil || p.KMSKeyID == "" {
		return nil
	}
	out, err := t.cfg.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(p.KMSKeyID)})
	if done, err := keyCallDrift(rep, p.KMSKeyID, "kms:DescribeKey", err); done {
		return err
	}
	meta := out.KeyMetadata
	if meta == nil {
		return fmt.Errorf("describe key %s: no key metadata", p.KMSKeyID)
	}
	if meta.KeyState != kmstypes.KeyStateEnabled {
		rep.add("key", p.KMSKeyID, "is %s: SQS and SNS cannot encrypt messages under it", meta.KeyState)
	}
	topics := res.topicsOf(p)
	if len(topics) == 0 {
		return nil
	}
	if meta.KeyManager == kmstypes.KeyManagerTypeAws {
		rep.add("key", p.KMSKeyID, "is an AWS managed key, whose policy cannot let SNS use it: name a customer managed key")
		return nil
	}
	pol, err := t.cfg.KMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: meta.KeyId, PolicyName: aws.String(keyPolicyName)})
	if done, err := keyCallDrift(rep, p.KMSKeyID, "kms:GetKeyPolicy", err); done {
		return err
	}
	return reportKeyPolicy(rep, p.KMSKeyID, aws.ToString(pol.Policy), topics)
}

// keyCallDrift reads the error of a KMS call: a missing key or a denied
// call is a drift (done, no error), another failure is the call's error.
func keyCallDrift(rep *DriftReport, keyID, call string, err error) (done bool, _ error) {
	var nf *kmstypes.NotFoundException
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &nf):
		rep.add("key", keyID, "not found: create it or name another key in the topology")
		return true, nil
	case hasErrorCode(err, "AccessDeniedException"):
		rep.add("key", keyID, "not checked: %s denied (%v)", call, err)
		return true, nil
	}
	return true, fmt.Errorf("%s %s: %w", call, keyID, err)
}

// topicsOf returns the ARNs of p's topics that were found.
func (r *resolved) topicsOf(p Plan) []string {
	var arns []string
	for _, tp := range p.Topics {
		if arn, ok := r.topicARN[tp.Name]; ok {
			arns = append(arns, arn)
		}
	}
	return arns
}

// reportKeyPolicy adds one drift naming the topics for which policy does
// not let SNS use the key.
func reportKeyPolicy(rep *DriftReport, keyID, policy string, topicARNs []string) error {
	doc, err := parsePolicy(policy, keyID)
	if err != nil {
		return err
	}
	stmts := statements(doc["Statement"])
	var denied []string
	for _, arn := range topicARNs {
		if !keyPolicyLetsSNS(stmts, arn) {
			denied = append(denied, arn[strings.LastIndex(arn, ":")+1:])
		}
	}
	if len(denied) > 0 {
		rep.add("key", keyID, "policy does not let sns.amazonaws.com use the key (%s) for topic(s) %s, so SNS "+
			"drops their messages: add the statement `sourceflow iam-policy --key-policy` prints",
			strings.Join(snsKeyActions, ", "), strings.Join(denied, ", "))
	}
	return nil
}

// keyPolicyLetsSNS reports whether Allow statements of a key policy give
// SNS, for topicARN, every action of snsKeyActions. A statement counts when
// its Principal covers SNS and its conditions on aws:SourceArn and
// aws:SourceAccount, if any, match the topic; other condition keys are not
// evaluated, nor are Deny statements.
func keyPolicyLetsSNS(stmts []any, topicARN string) bool {
	for _, want := range snsKeyActions {
		if !keyActionAllowed(stmts, want, topicARN) {
			return false
		}
	}
	return true
}

func keyActionAllowed(stmts []any, action, topicARN string) bool {
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok || m["Effect"] != "Allow" || !principalIsSNS(m["Principal"]) || !actionCovers(m["Action"], action) {
			continue
		}
		cond, _ := m["Condition"].(map[string]any)
		if sourceConditionsMatch(cond, topicARN) {
			return true
		}
	}
	return false
}

// actionCovers reports whether a statement's Action list grants want
// ("kms:GenerateDataKey*" is granted by itself, "kms:*" and "*").
func actionCovers(v any, want string) bool {
	for _, a := range stringList(v) {
		if ok, err := path.Match(strings.ToLower(a), strings.ToLower(want)); err == nil && ok {
			return true
		}
	}
	return false
}

// sourceConditionsMatch reports whether every aws:SourceArn and
// aws:SourceAccount condition of cond holds for topicARN.
func sourceConditionsMatch(cond map[string]any, topicARN string) bool {
	account := arnField(topicARN, 4)
	for op, body := range cond {
		kv, _ := body.(map[string]any)
		for key, val := range kv {
			var subject string
			switch {
			case strings.EqualFold(key, "aws:SourceArn"):
				subject = topicARN
			case strings.EqualFold(key, "aws:SourceAccount"):
				subject = account
			default:
				continue
			}
			if !anyConditionValueMatches(op, stringList(val), subject) {
				return false
			}
		}
	}
	return true
}

func anyConditionValueMatches(op string, values []string, subject string) bool {
	for _, v := range values {
		if arnConditionMatches(op, v, subject) {
			return true
		}
	}
	return false
}

// arnField returns the i-th colon-separated field of an ARN.
func arnField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if i < len(parts) {
		return parts[i]
	}
	return ""
}
