"""The counter and phone channel: agency staff submit an idea, a support or a consultation answer
for a person who came to the counter, called (the 1111 hotline) or sent a paper form. The
contribution goes through the domain's own action, acted by a counter account that holds it until
the person takes it over with the one-time code given to them."""
