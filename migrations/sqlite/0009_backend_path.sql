-- How HTTPS reaches the project's backend, chosen in the wizard after the domain (issue 22):
-- 'free' (Nginx + Certbot on the instance) or 'paid' (ALB + ACM). NULL: not chosen yet (every
-- project made before the wizard; its page asks).
ALTER TABLE projects ADD COLUMN backend_path TEXT;
