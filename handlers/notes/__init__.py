"""Notes, action plans, check-ins and ongoing relationships (issue 7)."""
