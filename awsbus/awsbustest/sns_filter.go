package awsbustest

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// filterPolicy is a parsed SNS filter policy on message attributes (or on
// the message body, see filterInput). The fake supports the operators
// awsbus uses: exact strings, "prefix", "anything-but" (string or list) and
// "exists".
type filterPolicy map[string][]condition

type condition struct {
	exact       *string
	prefix      *string
	anythingBut []string
	exists      *bool
}

func parseFilterPolicy(raw string) (filterPolicy, error) {
	var doc map[string][]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return nil, fmt.Errorf("filter policy is not an object of arrays: %w", err)
	}
	fp := filterPolicy{}
	for key, conds := range doc {
		if len(conds) == 0 { // SNS refuses an empty or null list of conditions
			return nil, fmt.Errorf("attribute %q: empty condition list", key)
		}
		for _, c := range conds {
			cond, err := parseCondition(c)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: %w", key, err)
			}
			fp[key] = append(fp[key], cond)
		}
	}
	return fp, nil
}

func parseCondition(raw json.RawMessage) (condition, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return condition{exact: &s}, nil
	}
	var op struct {
		Prefix      *string         `json:"prefix"`
		AnythingBut json.RawMessage `json:"anything-but"`
		Exists      *bool           `json:"exists"`
	}
	if err := json.Unmarshal(raw, &op); err != nil {
		return condition{}, errors.New("unsupported condition " + string(raw))
	}
	c := condition{prefix: op.Prefix, exists: op.Exists}
	if len(op.AnythingBut) > 0 {
		var one string
		if json.Unmarshal(op.AnythingBut, &one) == nil {
			c.anythingBut = []string{one}
		} else if err := json.Unmarshal(op.AnythingBut, &c.anythingBut); err != nil {
			return condition{}, errors.New("unsupported anything-but " + string(op.AnythingBut))
		}
	}
	if c.prefix == nil && c.exists == nil && c.anythingBut == nil {
		return condition{}, errors.New("unsupported condition " + string(raw))
	}
	return c, nil
}

// matches reports whether every key of the policy matches one of its
// conditions.
func (fp filterPolicy) matches(attrs map[string]types.MessageAttributeValue) bool {
	for key, conds := range fp {
		v, present := attrs[key]
		value := aws.ToString(v.StringValue)
		ok := false
		for _, c := range conds {
			if c.match(value, present) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// filterInput returns what a subscription's filter policy is matched
// against: the message attributes, or with the MessageBody scope the
// top-level string fields of a JSON body (the fake supports no nested
// keys; a body that is not a JSON object has none).
func filterInput(scope string, r publishRequest) map[string]types.MessageAttributeValue {
	if scope != "MessageBody" {
		return r.attrs
	}
	var doc map[string]any
	_ = json.Unmarshal([]byte(r.body), &doc)
	fields := map[string]types.MessageAttributeValue{}
	for k, v := range doc {
		if s, ok := v.(string); ok {
			fields[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s)}
		}
	}
	return fields
}

func (c condition) match(value string, present bool) bool {
	switch {
	case c.exists != nil:
		return *c.exists == present
	case !present:
		return false
	case c.exact != nil:
		return *c.exact == value
	case c.prefix != nil:
		return strings.HasPrefix(value, *c.prefix)
	default:
		for _, no := range c.anythingBut {
			if no == value {
				return false
			}
		}
		return true
	}
}

// policyAllows reports whether an SQS queue policy lets topicARN deliver:
// an Allow statement for sns.amazonaws.com (or "*") with sqs:SendMessage
// whose aws:SourceArn condition, if any, matches the topic.
func policyAllows(policy, topicARN string) bool {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	var stmts []statement
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one statement
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = []statement{one}
	}
	for _, st := range stmts {
		if st.Effect == "Allow" && st.allowsSNS() && st.allowsSend() && st.sourceMatches(topicARN) {
			return true
		}
	}
	return false
}

type statement struct {
	Effect    string                                `json:"Effect"`
	Principal json.RawMessage                       `json:"Principal"`
	Action    json.RawMessage                       `json:"Action"`
	Condition map[string]map[string]json.RawMessage `json:"Condition"`
}

func stringList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

func (st statement) allowsSNS() bool {
	if strings.TrimSpace(string(st.Principal)) == `"*"` {
		return true
	}
	var p map[string]json.RawMessage
	if json.Unmarshal(st.Principal, &p) != nil {
		return false
	}
	for _, v := range append(stringList(p["Service"]), stringList(p["AWS"])...) {
		if v == "sns.amazonaws.com" || v == "*" {
			return true
		}
	}
	return false
}

func (st statement) allowsSend() bool {
	for _, a := range stringList(st.Action) {
		if a == "*" || a == "sqs:*" || strings.EqualFold(a, "sqs:SendMessage") {
			return true
		}
	}
	return false
}

func (st statement) sourceMatches(topicARN string) bool {
	if len(st.Condition) == 0 {
		return true
	}
	for op, keys := range st.Condition {
		raw, ok := keys["aws:SourceArn"]
		if !ok {
			continue
		}
		for _, want := range stringList(raw) {
			if strings.HasPrefix(op, "ArnEquals") && want == topicARN {
				return true
			}
			if matched, _ := path.Match(want, topicARN); strings.HasPrefix(op, "ArnLike") && matched {
				return true
			}
		}
		return false
	}
	return true
}
