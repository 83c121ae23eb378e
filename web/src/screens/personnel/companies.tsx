// Companies (#/companies, #/companies/<id>): the companies at the site, each
// shown through the engine's company view (P4; sensitive data only with
// P11), and the company and contact commands (P12, P13).

import type { CompanyView, ContactView } from 'calm-access';
import { useDecision } from 'calm-access/preact';
import { useState } from 'preact/hooks';
import { go, href } from '../../route';
import { snapshotNow, useStore } from '../../store';
import { CommandButton, Denied, GateLink, IfRoleAllows } from '../../ui/gate';
import { flash } from '../../ui/confirm';
import { ask, newId, Unanswered } from '../../ui/view';
import { Area, DataList, Field, fromLines, Outcome, Section, toLines, useRunner, type Exec } from './common';
import { names } from '../../ui/names';

/**
 * The companies at `site` as the acting user may see them: the ids come from
 * the organisation, each is shown only through `engine.company` (a company
 * the view refuses is left out).
 */
export function useSiteCompanies(site: string): CompanyView[] {
  const { engine, user } = useStore();
  const ids = ((snapshotNow().personnel?.companies ?? []) as { id: string; site: string; deleted?: boolean }[])
    .filter((c) => c.site === site && c.deleted !== true)
    .map((c) => c.id);
  const out: CompanyView[] = [];
  for (const id of ids) {
    try {
      out.push(engine.company(user, id));
    } catch {
      // Not visible to the acting user (or gone): left out.
    }
  }
  return out;
}

function NewCompany() {
  const { site } = useStore();
  const [name, setName] = useState('');
  const [details, setDetails] = useState('');
  const [id, setId] = useState(() => newId('co'));
  const [outcome, exec] = useRunner();
  const company: Record<string, unknown> = { id, site, details: fromLines(details) };
  if (name.trim() !== '') company.name = name.trim();
  const fields = { type: 'company.create', company };
  return (
    <section class="card pnew" aria-labelledby="new-company-h">
      <h2 id="new-company-h">New company</h2>
      <form class="pform" onSubmit={(e) => e.preventDefault()}>
        <Field label="Name" value={name} onInput={setName} testid="company-name" required />
        <Area label="Details" hint="one “key: value” per line, e.g. address: …" value={details} onInput={setDetails} />
        <CommandButton
          fields={fields}
          variant="primary"
          data-testid="company-create"
          onClick={() => {
            if (exec(`Creating ${name.trim()}`, fields).ok) {
              setName('');
              setDetails('');
              setId(newId('co'));
            }
          }}
        >
          Create company
        </CommandButton>
      </form>
      <Outcome outcome={outcome} />
    </section>
  );
}

function CompanyList() {
  const { site } = useStore();
  const decision = useDecision('personnel.company.view', site);
  const companies = useSiteCompanies(site);
  return (
    <section>
      <h1>Companies</h1>
      {!decision.allowed && companies.length === 0 ? (
        <Denied title="Companies" decision={decision} />
      ) : companies.length === 0 ? (
        <p class="notice" data-testid="companies-empty">
          There are no companies at <strong>{names().site(site)}</strong>.
        </p>
      ) : (
        <table data-testid="companies">
          <thead>
            <tr>
              <th scope="col">Company</th>
              <th scope="col">Services</th>
              <th scope="col">Contacts</th>
            </tr>
          </thead>
          <tbody>
            {companies.map((c) => (
              <tr key={c.id} data-testid="company-row" data-company={c.id}>
                <td>
                  <GateLink action="personnel.company.view" target={{ company: c.id }} href={href('companies', c.id)}>
                    {c.name}
                  </GateLink>
                </td>
                <td>{typeof c.details?.services === 'string' ? c.details.services : <span class="muted">—</span>}</td>
                <td>{c.contacts.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <IfRoleAllows action="personnel.company.manage" target={site}>
        <NewCompany />
      </IfRoleAllows>
    </section>
  );
}

function CompanyEdit({ company, exec }: { company: CompanyView; exec: Exec }) {
  const [name, setName] = useState(company.name);
  const [details, setDetails] = useState(toLines(company.details));
  const [sensitive, setSensitive] = useState(toLines(company.sensitive));
  const changes: Record<string, unknown> = {};
  if (name.trim() !== company.name) changes.name = name.trim();
  if (details !== toLines(company.details)) changes.details = fromLines(details);
  // Sensitive data is edited only when the view shows it.
  if (company.sensitive !== undefined && sensitive !== toLines(company.sensitive)) changes.sensitive = fromLines(sensitive);
  const update = { type: 'company.update', company: company.id, changes };
  return (
    <form class="pform" onSubmit={(e) => e.preventDefault()}>
      <Field label="Name" value={name} onInput={setName} testid="company-edit-name" />
      <Area label="Details" hint="one “key: value” per line" value={details} onInput={setDetails} />
      {company.sensitive !== undefined && (
        <Area label="Sensitive data" hint="one “key: value” per line" value={sensitive} onInput={setSensitive} />
      )}
      <div class="row">
        <CommandButton fields={update} variant="primary" data-testid="company-update" onClick={() => exec('Saving the company', update)}>
          Save company
        </CommandButton>
      </div>
    </form>
  );
}

function ContactEdit({ company, contact, exec }: { company: string; contact: ContactView; exec: Exec }) {
  const [name, setName] = useState(contact.name ?? '');
  const [email, setEmail] = useState(contact.email ?? '');
  const [phone, setPhone] = useState(contact.phone ?? '');
  const changes: Record<string, unknown> = {};
  if (name.trim() !== (contact.name ?? '')) changes.name = name.trim();
  if (email.trim() !== (contact.email ?? '')) changes.email = email.trim();
  if (phone.trim() !== (contact.phone ?? '')) changes.phone = phone.trim();
  const update = { type: 'contact.update', company, contact: contact.id, changes };
  return (
    <form class="pform" onSubmit={(e) => e.preventDefault()}>
      <Field label="Name" value={name} onInput={setName} />
      <Field label="Email" type="email" value={email} onInput={setEmail} />
      <Field label="Phone" type="tel" value={phone} onInput={setPhone} />
      <CommandButton fields={update} variant="primary" data-testid="contact-update" onClick={() => exec('Saving the contact', update)}>
        Save contact
      </CommandButton>
    </form>
  );
}

function Contacts({ company }: { company: CompanyView }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [id, setId] = useState(() => newId('ct'));
  const [outcome, exec] = useRunner();
  const contact: Record<string, unknown> = { id };
  if (name.trim() !== '') contact.name = name.trim();
  if (email.trim() !== '') contact.email = email.trim();
  if (phone.trim() !== '') contact.phone = phone.trim();
  const add = { type: 'contact.add', company: company.id, contact };
  return (
    <Section title="Contacts" testid="company-contacts">
      {company.contacts.length === 0 ? (
        <p class="muted">No contacts.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Phone</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {company.contacts.map((ct) => {
              const remove = { type: 'contact.delete', company: company.id, contact: ct.id };
              return (
                <tr key={ct.id} data-testid="contact" data-contact={ct.id}>
                  <td>{ct.name ?? ct.id}</td>
                  <td>{ct.email ?? '—'}</td>
                  <td>{ct.phone ?? '—'}</td>
                  <td>
                    <IfRoleAllows action="personnel.company.manage" target={{ company: company.id }}>
                      <details class="pedit">
                        <summary data-testid="contact-edit-open">Edit</summary>
                        <ContactEdit key={`${ct.name}:${ct.email}:${ct.phone}`} company={company.id} contact={ct} exec={exec} />
                      </details>
                    </IfRoleAllows>
                    <CommandButton
                      fields={remove}
                      variant="danger"
                      data-testid="contact-delete"
                      confirm={{
                        title: `Delete the contact ${ct.name ?? ''}?`.replace('  ', ' '),
                        confirm: 'Delete contact',
                        body: (
                          <p>
                            {ct.name ?? 'This contact'}
                            {ct.email ? ` (${ct.email})` : ''} will be removed from {company.name}.
                          </p>
                        ),
                      }}
                      onClick={() => exec(`Deleting ${ct.name ?? 'the contact'}`, remove)}
                    >
                      Delete
                    </CommandButton>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <IfRoleAllows action="personnel.company.manage" target={{ company: company.id }}>
        <details class="pedit">
          <summary data-testid="contact-add-open">Add a contact</summary>
          <form class="pform" onSubmit={(e) => e.preventDefault()}>
            <Field label="Name" value={name} onInput={setName} testid="contact-name" required />
            <Field label="Email" type="email" value={email} onInput={setEmail} />
            <Field label="Phone" type="tel" value={phone} onInput={setPhone} />
            <CommandButton
              fields={add}
              variant="primary"
              data-testid="contact-add"
              onClick={() => {
                if (exec(`Adding ${name.trim()}`, add).ok) {
                  setName('');
                  setEmail('');
                  setPhone('');
                  setId(newId('ct'));
                }
              }}
            >
              Add contact
            </CommandButton>
          </form>
        </details>
      </IfRoleAllows>
      <Outcome outcome={outcome} />
    </Section>
  );
}

function CompanyScreen({ id }: { id: string }) {
  const { engine, user } = useStore();
  const [outcome, exec] = useRunner();
  const viewed = ask<CompanyView>(() => engine.company(user, id));
  const remove = { type: 'company.delete', company: id };
  return (
    <section data-testid="company" data-company={id}>
      <p>
        <a href={href('companies')}>← Companies</a>
      </p>
      {!viewed.ok ? (
        <Unanswered answer={viewed} title="Company" />
      ) : (
        <>
          <h1>{viewed.value.name}</h1>
          <Section title="Details" testid="company-details">
            <DataList data={viewed.value.details} />
            {viewed.value.sensitive !== undefined && (
              <div data-testid="company-sensitive" data-sensitive="true">
                <h3>
                  Sensitive data <span class="badge badge-warn">Sensitive</span>
                </h3>
                <DataList data={viewed.value.sensitive} />
              </div>
            )}
            <IfRoleAllows action="personnel.company.manage" target={{ company: viewed.value.id }}>
              <details class="pedit">
                <summary data-testid="company-edit-open">Edit the company</summary>
                <CompanyEdit
                  key={`${viewed.value.name}:${toLines(viewed.value.details)}:${toLines(viewed.value.sensitive)}`}
                  company={viewed.value}
                  exec={exec}
                />
              </details>
            </IfRoleAllows>
            <div class="row pactions">
              <CommandButton
                fields={remove}
                variant="danger"
                data-testid="company-delete"
                confirm={{
                  title: `Delete ${viewed.value.name}?`,
                  confirm: 'Delete company',
                  body: (
                    <>
                      <p>{viewed.value.name} and its details will be deleted, and it will no longer be linked to anyone's record.</p>
                      {viewed.value.contacts.length > 0 ? (
                        <>
                          <p>
                            Its {viewed.value.contacts.length} {viewed.value.contacts.length === 1 ? 'contact goes' : 'contacts go'} with it:
                          </p>
                          <ul data-testid="confirm-lost">
                            {viewed.value.contacts.map((c) => (
                              <li key={c.id}>{c.name ?? c.email ?? 'A contact without a name'}</li>
                            ))}
                          </ul>
                        </>
                      ) : (
                        <p>It has no contacts.</p>
                      )}
                    </>
                  ),
                }}
                onClick={() => {
                  const name = viewed.value.name;
                  if (exec(`Deleting ${name}`, remove).ok) {
                    flash(`${name} was deleted.`);
                    go('companies');
                  }
                }}
              >
                Delete company
              </CommandButton>
            </div>
            <Outcome outcome={outcome} />
          </Section>
          <Contacts company={viewed.value} />
        </>
      )}
    </section>
  );
}

export function Companies({ company }: { company?: string }) {
  return company === undefined ? <CompanyList /> : <CompanyScreen key={company} id={company} />;
}
