"""Findings: findings, policy exceptions and waivers, revalidation flags."""
