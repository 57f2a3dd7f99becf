/**
 * Where a person reaches the office that issued their restriction. The register does not carry
 * offices' contact details yet (a later change of issue #17 adds them to the register and to the
 * exchange's least-data view); until then this says so plainly and invents nothing. When the answer
 * carries an office's address, telephone and e-mail, they are shown here and nowhere else.
 */
export function OfficeContact({ office }: { office: string }) {
  return (
    <p class="office-contact" data-office={office}>
      Contact details for this office are not shown on this page yet. Use the details on the notice or decision you received.
    </p>
  );
}
