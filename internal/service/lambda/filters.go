package lambda

import (
	"unicode/utf8"

	"github.com/kiricloud/kiri/internal/api"
	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/pattern"
)

// Event filtering limits of event source mappings (AWS's defaults).
const (
	maxFilters       = 5
	maxPatternLength = 4096
)

// CompileFilters compiles an event source mapping's FilterCriteria: a
// record goes to the function when it matches any of the patterns, which
// use EventBridge's syntax (the shared internal/pattern engine). No
// criteria, or none with filters, means every record goes; that is nil.
func CompileFilters(fc *lambdaapi.FilterCriteria) ([]*pattern.Pattern, error) {
	if fc == nil || len(fc.Filters) == 0 {
		return nil, nil
	}
	if len(fc.Filters) > maxFilters {
		// AWS's wording for this quota is not documented; kiri's own.
		return nil, lambdaapi.NewInvalidParameterValueException("Invalid filter criteria: at most %d filters are allowed.", maxFilters)
	}
	out := make([]*pattern.Pattern, 0, len(fc.Filters))
	for _, f := range fc.Filters {
		text := api.Deref(f.Pattern)
		if utf8.RuneCountInString(text) > maxPatternLength {
			return nil, errInvalidFilter()
		}
		p, err := pattern.Compile([]byte(text))
		if err != nil {
			return nil, errInvalidFilter()
		}
		out = append(out, p)
	}
	return out, nil
}

// errInvalidFilter is what Lambda answers for a pattern it cannot parse.
func errInvalidFilter() error {
	return lambdaapi.NewInvalidParameterValueException("Invalid filter pattern definition.")
}
