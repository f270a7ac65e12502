package iac

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/kms"
	"github.com/awslabs/goformation/v7/cloudformation/policies"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"
	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// CloudFormation renders the union of plans as one CloudFormation template
// (YAML). Deploying it creates what topology.ProvisionCreate would, so
// services started with topology.ProvisionValidate find no drift.
func CloudFormation(plans ...topology.Plan) ([]byte, error) {
	s, err := newSystem(plans)
	if err != nil {
		return nil, err
	}
	list, err := build(s)
	if err != nil {
		return nil, err
	}
	t := cloudformation.NewTemplate()
	t.Description = "SourceFlow topology of " + strings.Join(s.services, ", ")
	for _, r := range list {
		res, err := cfnResource(r)
		if err != nil {
			return nil, err
		}
		t.Resources[r.cfnID] = res
	}
	return yamlOf(t)
}

// yamlOf writes t as YAML indented by two spaces, the usual style of
// CloudFormation templates (goformation's YAML indents by four).
func yamlOf(t *cloudformation.Template) ([]byte, error) {
	j, err := t.JSON()
	if err != nil {
		return nil, err
	}
	var doc any
	if err := yaml.Unmarshal(j, &doc); err != nil { // JSON is YAML; integers stay integers
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// cfnResource is r as goformation's typed resource. Properties are set by
// their CloudFormation names, so a property the typed resource lacks is an
// error, not a silent omission.
func cfnResource(r *resource) (cloudformation.Resource, error) {
	var res cloudformation.Resource
	switch r.typ {
	case sqsQueue:
		res = &sqs.Queue{}
	case sqsQueuePolicy:
		res = &sqs.QueuePolicy{}
	case snsTopic:
		res = &sns.Topic{}
	case snsSubscription:
		res = &sns.Subscription{}
	case kmsKey:
		res = &kms.Key{}
	case kmsAlias:
		res = &kms.Alias{}
	default:
		return nil, fmt.Errorf("iac: no CloudFormation type for %s", r.typ.tf)
	}
	v := reflect.ValueOf(res).Elem()
	for _, p := range r.props {
		if p.cfn == "" {
			continue
		}
		if err := setProperty(v, p.cfn, cfnValue(p.value)); err != nil {
			return nil, fmt.Errorf("iac: %s %s: %w", r.typ.cfn, r.cfnID, err)
		}
	}
	if r.retain {
		v.FieldByName("AWSCloudFormationDeletionPolicy").SetString(string(policies.DeletionPolicy("Retain")))
		v.FieldByName("AWSCloudFormationUpdateReplacePolicy").SetString(string(policies.UpdateReplacePolicy("Retain")))
	}
	return res, nil
}

// cfnValue resolves references into intrinsic functions: a queue's ARN
// is Fn::GetAtt Arn and its URL Ref, a topic's ARN is Ref, a key's ARN
// Fn::GetAtt Arn and its id Ref.
func cfnValue(v any) any {
	switch x := v.(type) {
	case ref:
		switch {
		case x.attr == "arn" && x.to.typ == snsTopic, x.attr == "url", x.attr == "key_id":
			return cloudformation.Ref(x.to.cfnID)
		default:
			return cloudformation.GetAtt(x.to.cfnID, "Arn")
		}
	case accountID:
		return cloudformation.Ref("AWS::AccountId")
	case accountRoot:
		return cloudformation.Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cfnValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cfnValue(e)
		}
		return out
	}
	return v
}

// setProperty sets the field of v whose JSON name is name.
func setProperty(v reflect.Value, name string, value any) error {
	for i := range v.NumField() {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if tag != name {
			continue
		}
		return assign(v.Field(i), value)
	}
	return fmt.Errorf("no property %s", name)
}

func assign(f reflect.Value, value any) error {
	val := reflect.ValueOf(value)
	switch {
	case f.Kind() == reflect.Interface:
		f.Set(val)
	case f.Kind() == reflect.Pointer && val.Type().AssignableTo(f.Type().Elem()):
		p := reflect.New(f.Type().Elem())
		p.Elem().Set(val)
		f.Set(p)
	case val.Type().AssignableTo(f.Type()):
		f.Set(val)
	case f.Kind() == reflect.Slice && val.Kind() == reflect.Slice:
		s := reflect.MakeSlice(f.Type(), val.Len(), val.Len())
		for i := range val.Len() {
			if err := assign(s.Index(i), val.Index(i).Interface()); err != nil {
				return err
			}
		}
		f.Set(s)
	default:
		return fmt.Errorf("a %T cannot be a %s", value, f.Type())
	}
	return nil
}
