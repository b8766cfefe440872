-- Sections were stored with an empty heading and labelled "มาตรา N" by position. Fill in each
-- section's own heading from its text, as civic.consultations.rules.section_heading reads it.
UPDATE consultation_sections
SET heading = regexp_replace(
        substring(body FROM '^\s*(หมวด(?:ที่)?\s*[0-9๐-๙]+(?:\s+ส่วนที่\s*[0-9๐-๙]+)?|ส่วนที่\s*[0-9๐-๙]+|มาตรา\s*[0-9๐-๙]+(?:/[0-9๐-๙]+)?|ข้อ\s*[0-9๐-๙]+(?:/[0-9๐-๙]+)?)(?![0-9๐-๙])'),
        '\s+', ' ', 'g')
WHERE heading = '' AND body ~ '^\s*(หมวด|ส่วนที่|มาตรา|ข้อ)\s*[0-9๐-๙]';
