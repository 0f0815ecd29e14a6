"""`posture report`: the day's numbers from the history (`summary`) and its chart (`chart`)."""
