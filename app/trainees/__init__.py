"""The trainee pool over 22 months: records, the calendar, saved pool plans, progress and evaluation."""
