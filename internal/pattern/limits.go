package pattern

// keys counts leaf keys the way SNS limits them: nested keys count once per
// leaf, and of a "$or" group only the largest branch counts.
func keys(n *node) int {
	total := 0
	for i := range n.fields {
		if n.fields[i].sub != nil {
			total += keys(n.fields[i].sub)
		} else {
			total++
		}
	}
	for _, g := range n.ors {
		most := 0
		for _, a := range g {
			most = max(most, keys(a))
		}
		total += most
	}
	return total
}

// combinations multiplies value-list sizes (SNS "total combination of
// values"); "$or" branches add up. Saturates to avoid overflow.
func combinations(n *node) int {
	total := 1
	mul := func(k int) {
		if total > snsMaxCombinations || k > snsMaxCombinations {
			total = snsMaxCombinations + 1
			return
		}
		total *= k
	}
	for i := range n.fields {
		if n.fields[i].sub != nil {
			mul(combinations(n.fields[i].sub))
		} else {
			mul(n.fields[i].values)
		}
	}
	for _, g := range n.ors {
		sum := 0
		for _, a := range g {
			sum = min(sum+combinations(a), snsMaxCombinations+1)
		}
		mul(sum)
	}
	return total
}
