package lambda

import "github.com/kiricloud/kiri/internal/store"

// AllowsPublicURLInvoke reports whether the resource policy of the function
// (or alias) behind a function URL with AuthType NONE lets anyone invoke it:
// a statement allowing lambda:InvokeFunctionUrl to principal "*", whose
// lambda:FunctionUrlAuthType condition, if any, is NONE. AWS answers 403
// without one; the console adds it, CreateFunctionUrlConfig does not.
func (s *Service) AllowsPublicURLInvoke(fu *FunctionURL) (bool, error) {
	ref := fnRef{scope: scope{account: fu.Account, region: fu.Region}, name: fu.Name, qualifier: fu.Qualifier}
	var p policyRecord
	err := s.st.View(func(tx store.Tx) error {
		_, err := store.GetJSON(tx, policyKey(ref), &p)
		return err
	})
	if err != nil {
		return false, err
	}
	for _, st := range p.Statements {
		if st.allowsPublicURL(fu.AuthType) {
			return true, nil
		}
	}
	return false, nil
}

func (st statement) allowsPublicURL(authType string) bool {
	if st.Effect != "Allow" || (st.Action != "lambda:InvokeFunctionUrl" && st.Action != "lambda:*" && st.Action != "*") {
		return false
	}
	if st.Principal != "*" {
		if p, ok := st.Principal.(map[string]any); !ok || p["AWS"] != "*" {
			return false
		}
	}
	if want, ok := st.Condition["StringEquals"]["lambda:FunctionUrlAuthType"]; ok && want != authType {
		return false
	}
	return true
}
